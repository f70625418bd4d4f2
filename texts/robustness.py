"""Texts of the robustness capability: backups on demand."""

VI = {
    "rb_cmd_saoluu": "Sao lưu cơ sở dữ liệu (quản trị)",
    "rb_backup_done": (
        "Đã sao lưu: <code>{name}</code> ({size}).\n"
        "Đang giữ {kept} bản gần nhất; đã xoá {removed} bản cũ."
    ),
    "rb_backup_failed": "Sao lưu không thành công: {error}. Chi tiết đã ghi vào nhật ký.",
    "rb_backup_not_sqlite": (
        "Cơ sở dữ liệu không phải tệp SQLite: hãy sao lưu bằng công cụ của máy chủ CSDL "
        "(xem docs/operations.md)."
    ),
}

EN = {
    "rb_backup_done": (
        "Backed up: <code>{name}</code> ({size}).\n"
        "Keeping the {kept} newest; removed {removed} old."
    ),
    "rb_backup_failed": "Backup failed: {error}. Details are in the log.",
    "rb_backup_not_sqlite": (
        "The database is not a SQLite file: back it up with the database server's tools "
        "(see docs/operations.md)."
    ),
}

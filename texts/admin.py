"""Texts of the admin commands: invites, rebinding, roles, group binding, catalogue re-sync."""

VI = {
    "adm_moi_usage": (
        "Cách dùng: <code>/moi Tên đơn vị</code> · <code>/moi tatca</code> (mọi xã, tệp .xlsx) · "
        "<code>/moi tatca tin</code> (mọi xã, tin nhắn) · <code>/moi list</code> · "
        "<code>/moi huy &lt;mã | đơn vị&gt;</code>"
    ),
    "adm_unknown_unit": "Không tìm thấy đơn vị «{query}».",
    "adm_did_you_mean": " Có phải: {names}?",
    "adm_moi_one": (
        "Mã mời cho <b>{unit}</b> (dùng một lần, hết hạn {expires}):\n{link}\n"
        "Hoặc gửi cho bot: <code>/dangky {code}</code>"
    ),
    "adm_moi_all_header": "Mã mời cho {count} đơn vị (dùng một lần, hết hạn {expires}):",
    "adm_moi_all_line": "• {unit}: {link}",
    "adm_moi_all_caption": (
        "Mã mời cho {count} đơn vị, hết hạn {expires}. Gửi mỗi xã đường dẫn của mình."
    ),
    "adm_moi_list_header": "<b>Mã mời còn hiệu lực ({count})</b>",
    "adm_moi_list_line": "• {unit} — tạo {created}, hết hạn {expires}",
    "adm_moi_list_more": "… và {count} mã khác.",
    "adm_moi_list_empty": "Không có mã mời nào còn hiệu lực.",
    "adm_revoked": "Đã thu hồi {count} mã mời{unit}.",
    "adm_revoked_none": "Không có mã mời còn hiệu lực nào khớp «{query}».",
    "adm_gan_usage": "Cách dùng: <code>/gan &lt;user_id&gt; Tên đơn vị[, đơn vị khác]</code>",
    "adm_gan_ok": "Đã gắn người dùng <code>{user_id}</code> ({role}) với: {units}.",
    "adm_xoa_usage": "Cách dùng: <code>/xoa &lt;user_id&gt;</code>",
    "adm_xoa_ok": "Đã gỡ quyền người dùng <code>{user_id}</code> (trước đây: {units}).",
    "adm_unknown_user": "Không có người dùng <code>{user_id}</code>.",
    "adm_env_admin": (
        "<code>{user_id}</code> là quản trị viên trong cấu hình ADMIN_IDS; "
        "sửa cấu hình để thay đổi."
    ),
    "adm_quyen_usage": (
        "Cách dùng: <code>/quyen &lt;user_id&gt; leader|officer|admin</code> "
        "(lãnh đạo | cán bộ | quản trị viên)"
    ),
    "adm_quyen_ok": "Người dùng <code>{user_id}</code>: {previous} → <b>{role}</b>.",
    "adm_nhom_bound": "Nhóm này đã được gắn với <b>{unit}</b>; nhóm sẽ nhận nhắc việc của đơn vị.",
    "adm_nhom_unbound": "Đã gỡ đơn vị khỏi nhóm này.",
    "adm_nhom_shown": "Nhóm này đang gắn với <b>{unit}</b>. Đổi: <code>/nhom Tên xã</code>.",
    "adm_nhom_none": (
        "Nhóm này chưa gắn đơn vị. Gõ <code>/nhom Tên xã</code> hoặc <code>/nhom tinh</code>."
    ),
    "adm_nhom_private": "Dùng lệnh /nhom trong nhóm cần gắn.",
    "adm_dongbo_ok": (
        "Đã đồng bộ danh mục: thêm {units_added} đơn vị, {indicators_added} chỉ tiêu, "
        "{tasks_added} nhiệm vụ; cập nhật {tasks_updated} nhiệm vụ; ngừng dùng "
        "{units_retired} đơn vị, {indicators_retired} chỉ tiêu."
    ),
    "adm_dongbo_failed": "Không đồng bộ được danh mục: {error}",
    "adm_bad_user_id": "User id phải là số, ví dụ <code>/gan 123456789 Vĩnh Thủy</code>.",
    "cmd_moi": "Quản trị: tạo mã mời",
    "cmd_nhom": "Quản trị: gắn nhóm với đơn vị",
}

EN = {
    "adm_unknown_unit": "No unit named «{query}».",
    "adm_did_you_mean": " Did you mean: {names}?",
}

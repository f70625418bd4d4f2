"""Texts of the morning alert, report reminders and /nhacviec (keys al_…)."""

VI = {
    "al_cmd": "Nhắc việc hôm nay của nhóm; cài đặt nhắc việc",
    "al_head": "☀️ <b>Nhắc việc {date}</b> — {scope}",
    "al_overdue_head": "<b>⛔ Nhiệm vụ quá hạn ({n})</b>",
    "al_overdue_line": "• <b>{label}</b> {title} — <i>{lead}</i>: quá hạn {days} ngày "
    "(hạn {due}), <b>đôn đốc lần {n}</b>",
    "al_soon_head": "<b>⏳ Sắp đến hạn ({n})</b>",
    "al_soon_line": "• <b>{label}</b> {title} — <i>{lead}</i>: {when}",
    "al_soon_today": "hạn hôm nay",
    "al_soon_days": "còn {days} ngày (hạn {due})",
    "al_missing_head": "<b>📋 Chưa gửi {report} {period}</b> (hạn trước ngày {due})",
    "al_missing_left": "còn {days} ngày: {units}",
    "al_missing_late_line": "• {unit}: quá hạn {days} ngày, <b>đôn đốc lần {n}</b>",
    "al_pace_head": "<b>📉 Chỉ tiêu chưa theo kịp mốc</b>",
    "al_pace_line": "• {indicator}: hiện {now} (số liệu {as_of}); mốc {target} đến {due}, "
    "theo tốc độ hiện tại chỉ đạt khoảng {projected}",
    "al_all_clear": "✅ <b>Nhắc việc {date}</b> — {scope}: không có việc quá hạn, sắp đến hạn "
    "hay báo cáo còn thiếu.",
    "al_reminder": (
        "🔔 <b>Nhắc báo cáo</b> — {unit} chưa gửi {report} {period}.\nHạn: trước ngày {due} "
        "(còn {days} ngày). Nhắc lần {n}.\nGửi số liệu ngay trong nhóm hoặc tại đây."
    ),
    "al_unbound": "Nhóm này chưa gắn với đơn vị nào nên chưa có nhắc việc.",
    "al_settings": (
        "Nhắc việc của nhóm: <b>{state}</b>, lúc <b>{time}</b> các ngày làm việc; báo “không "
        "có việc”: <b>{all_clear}</b>.\nQuản trị viên đổi bằng: <code>/nhacviec tat</code>, "
        "<code>/nhacviec bat</code>, <code>/nhacviec gio 07:30</code>, "
        "<code>/nhacviec baoyen bat</code>."
    ),
    "al_on": "bật",
    "al_off": "tắt",
    "al_forbidden": "Chỉ quản trị viên được đổi cài đặt nhắc việc.",
    "al_bad_time": "Giờ không hợp lệ. Ví dụ: <code>/nhacviec gio 07:30</code>",
    "al_unknown_chat": "Chưa có thông tin nhóm này; hãy thêm bot vào nhóm và gắn đơn vị trước.",
    "al_usage": (
        "Cú pháp: <code>/nhacviec</code> (xem), <code>/nhacviec bat|tat</code>, "
        "<code>/nhacviec gio HH:MM</code>, <code>/nhacviec baoyen bat|tat</code>"
    ),
}

EN = {
    "al_head": "☀️ <b>Reminders {date}</b> — {scope}",
    "al_overdue_head": "<b>⛔ Overdue tasks ({n})</b>",
    "al_overdue_line": "• <b>{label}</b> {title} — <i>{lead}</i>: {days} days overdue "
    "(due {due}), <b>reminder no. {n}</b>",
    "al_soon_head": "<b>⏳ Due soon ({n})</b>",
    "al_soon_today": "due today",
    "al_soon_days": "{days} days left (due {due})",
    "al_missing_head": "<b>📋 Not yet sent: {report} {period}</b> (due before the {due})",
    "al_missing_left": "{days} days left: {units}",
    "al_missing_late_line": "• {unit}: {days} days late, <b>reminder no. {n}</b>",
    "al_pace_head": "<b>📉 Indicators behind their milestone</b>",
    "al_all_clear": "✅ <b>Reminders {date}</b> — {scope}: nothing overdue, due or missing.",
    "al_unbound": "This group is not bound to a unit yet, so it has no reminders.",
    "al_forbidden": "Only administrators can change the reminder settings.",
    "al_bad_time": "Invalid time. Example: <code>/nhacviec gio 07:30</code>",
}

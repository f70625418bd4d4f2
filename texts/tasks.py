"""Texts of plan tasks: /nhiemvu, /xong and plan imports (keys task_…)."""

VI = {
    "task_cmd_list": "Nhiệm vụ: quá hạn, sắp đến hạn, tất cả",
    "task_cmd_done": "Báo hoàn thành nhiệm vụ: /xong 4 kết quả",
    "task_head_overdue": "<b>Nhiệm vụ quá hạn</b>{scope}",
    "task_head_due_soon": "<b>Nhiệm vụ đến hạn trong {days} ngày</b>{scope}",
    "task_head_open": "<b>Nhiệm vụ chưa hoàn thành</b>{scope}",
    "task_head_all": "<b>Danh sách nhiệm vụ</b>{scope}",
    "task_scope": " — {name}",
    "task_counts": (
        "Tổng số nhiệm vụ được giao: <b>{total}</b>; có thời hạn: {dated}; thường xuyên: "
        "{recurring}; chưa hoàn thành: {unfinished}; quá hạn: <b>{overdue}</b>."
    ),
    "task_counts_unknown": "⚠️ {n} nhiệm vụ có thời hạn chưa đọc được — cần lãnh đạo sửa.",
    "task_none": "Không có nhiệm vụ nào.",
    "task_line": "{icon} <b>{label}</b> {title} — <i>{lead}</i>; {when}",
    "task_when_overdue": "hạn {due}, quá hạn {days} ngày",
    "task_when_left": "hạn {due}, còn {days} ngày",
    "task_when_today": "hạn hôm nay {due}",
    "task_when_recurring": "thường xuyên",
    "task_when_unknown": "thời hạn chưa rõ: “{text}”",
    "task_when_done": "đã hoàn thành: {result}",
    "task_reminded": " (đã đôn đốc {n} lần)",
    "task_more": "… và {n} nhiệm vụ khác.",
    "task_usage": (
        "Cú pháp: <code>/xong 4 đã ban hành KH số 1199/KH-UBND</code> — số thứ tự nhiệm vụ "
        "trong kế hoạch (có thể ghi mục: <code>/xong III.4 …</code>), rồi kết quả."
    ),
    "task_closed": "✅ Đã ghi nhận hoàn thành nhiệm vụ <b>{label}</b>: {title}\nKết quả: {result}",
    "task_already_done": "Nhiệm vụ <b>{label}</b> đã được báo hoàn thành trước đó.",
    "task_not_found": "Không tìm thấy nhiệm vụ số {ref}. Gõ /nhiemvu để xem danh sách.",
    "task_forbidden": "Bạn chỉ báo hoàn thành được nhiệm vụ do đơn vị mình chủ trì.",
    "task_no_result": "Vui lòng ghi kết quả sau số nhiệm vụ, ví dụ: /xong {ref} đã ban hành KH.",
    "task_which": "Có {n} nhiệm vụ số {ref}. Bạn báo hoàn thành nhiệm vụ nào?",
    "task_expired": "Yêu cầu này đã hết hạn hoặc đã được xử lý.",
    "task_plan_head": "<b>Đọc được {n} nhiệm vụ</b> trong kế hoạch của {plan}:",
    "task_plan_line": "• <b>{label}</b> {title} — <i>{lead}</i>; {when}",
    "task_plan_lead_unknown": " ⚠️ chưa rõ cơ quan chủ trì “{text}”",
    "task_plan_unreadable": ("⚠️ <b>{n} thời hạn chưa đọc được</b> (sẽ ghi là “chưa rõ”, cần sửa):"),
    "task_plan_unreadable_line": "• {label}: “{text}”",
    "task_plan_confirm": "Nhập các nhiệm vụ này?",
    "task_btn_import": "✅ Nhập",
    "task_btn_cancel": "✖️ Hủy",
    "task_plan_imported": "Đã nhập kế hoạch của {plan}: {added} nhiệm vụ mới, {updated} cập nhật.",
    "task_plan_cancelled": "Đã hủy, không nhập kế hoạch.",
    "task_plan_no_table": (
        "Không thấy bảng nhiệm vụ (TT | Nhiệm vụ | … | Cơ quan chủ trì | … | Thời gian thực "
        "hiện) trong tệp."
    ),
    "task_plan_no_unit": "Kế hoạch này của đơn vị nào? Gửi lại tệp với chú thích tên xã.",
    "task_plan_forbidden": "Bạn không có quyền nhập kế hoạch cho {plan}.",
    "task_plan_bad_file": "Không mở được tệp này.",
}

EN = {
    "task_head_overdue": "<b>Overdue tasks</b>{scope}",
    "task_head_due_soon": "<b>Tasks due within {days} days</b>{scope}",
    "task_head_open": "<b>Unfinished tasks</b>{scope}",
    "task_head_all": "<b>Tasks</b>{scope}",
    "task_counts": (
        "Assigned: <b>{total}</b>; with a deadline: {dated}; recurring: {recurring}; "
        "unfinished: {unfinished}; overdue: <b>{overdue}</b>."
    ),
    "task_counts_unknown": "⚠️ {n} deadlines could not be read — a leader should fix them.",
    "task_none": "No tasks.",
    "task_when_overdue": "due {due}, {days} days overdue",
    "task_when_left": "due {due}, {days} days left",
    "task_when_today": "due today {due}",
    "task_when_recurring": "recurring",
    "task_when_unknown": "deadline unclear: “{text}”",
    "task_when_done": "done: {result}",
    "task_reminded": " (reminded {n} times)",
    "task_more": "… and {n} more.",
    "task_usage": "Usage: <code>/xong 4 result text</code> (task number in the plan, then result).",
    "task_closed": "✅ Task <b>{label}</b> marked done: {title}\nResult: {result}",
    "task_already_done": "Task <b>{label}</b> was already marked done.",
    "task_not_found": "No task number {ref}. Send /nhiemvu for the list.",
    "task_forbidden": "You can only close tasks your own unit leads.",
    "task_no_result": "Please add the result after the number, e.g. /xong {ref} plan issued.",
    "task_which": "There are {n} tasks numbered {ref}. Which one is done?",
    "task_expired": "This request has expired or was already handled.",
}

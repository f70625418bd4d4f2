"""Texts of onboarding: registration, invites redeemed, join requests, /toi, refusals."""

VI = {
    "on_denied_stranger": (
        "Bạn chưa đăng ký. Gửi <code>/dangky &lt;mã mời&gt;</code> hoặc "
        "<code>/dangky Tên xã</code> (ví dụ <code>/dangky Vĩnh Thủy</code>)."
    ),
    "on_denied_admin_only": "Chỉ quản trị viên được dùng chức năng này.",
    "on_denied_not_your_unit": (
        "Bạn chỉ được thao tác cho đơn vị của mình; <b>{unit}</b> không thuộc đơn vị bạn phụ trách."
    ),
    "on_denied_no_unit": "Tài khoản của bạn chưa được gắn với đơn vị nào. Gửi /dangky Tên xã.",
    "on_role_admin": "quản trị viên",
    "on_role_leader": "lãnh đạo",
    "on_role_officer": "cán bộ",
    "on_role_none": "chưa đăng ký",
    "on_welcome": (
        "Chào mừng {name}! Bạn đã được gắn với <b>{unit}</b> (vai trò: {role}).\n\n"
        "Tiếp theo:\n"
        "• Gửi số liệu, ví dụ <code>ASXH 1.234/5.678</code>\n"
        "• Hỏi tình hình: <i>tình hình {short} thế nào?</i>\n"
        "• /toi xem thông tin tài khoản · /help hướng dẫn"
    ),
    "on_redeem_already": "Bạn đã dùng mã này và đang thuộc <b>{unit}</b>. Gõ /toi để xem.",
    "on_redeem_unknown": "Mã mời không đúng. Kiểm tra lại, hoặc gửi <code>/dangky Tên xã</code>.",
    "on_redeem_used": "Mã mời này đã được sử dụng. Xin quản trị viên mã mới.",
    "on_redeem_expired": "Mã mời này đã hết hạn. Xin quản trị viên mã mới.",
    "on_redeem_revoked": "Mã mời này đã bị thu hồi. Xin quản trị viên mã mới.",
    "on_dangky_howto": (
        "Đăng ký: <code>/dangky &lt;mã mời&gt;</code> (mã do quản trị viên cấp), hoặc "
        "<code>/dangky Tên xã / đơn vị</code>, ví dụ <code>/dangky Vĩnh Thủy</code>."
    ),
    "on_dangky_pending": "Yêu cầu đang chờ duyệt: {units}.",
    "on_join_created": (
        "Đã gửi yêu cầu tham gia <b>{unit}</b> tới quản trị viên. "
        "Bạn sẽ nhận được tin nhắn khi yêu cầu được duyệt."
    ),
    "on_join_exists": "Yêu cầu tham gia <b>{unit}</b> của bạn đang chờ quản trị viên duyệt.",
    "on_join_already_member": "Bạn đã thuộc <b>{unit}</b>. Gõ /toi để xem.",
    "on_join_unknown_unit": "Không tìm thấy đơn vị «{query}».",
    "on_did_you_mean": " Có phải: {names}?",
    "on_join_no_admin": "Hiện chưa có quản trị viên nào để duyệt; vui lòng liên hệ Tổ công tác.",
    "on_join_admin_notice": (
        "🆕 Yêu cầu đăng ký #{id}: <b>{name}</b>{username} (id <code>{user_id}</code>) "
        "xin tham gia <b>{unit}</b>."
    ),
    "on_btn_approve": "Duyệt",
    "on_btn_reject": "Từ chối",
    "on_join_approved_note": "✅ Đã duyệt bởi {admin}.",
    "on_join_rejected_note": "❌ Đã từ chối bởi {admin}.",
    "on_join_decided_before": "Yêu cầu này đã được xử lý trước đó ({status}).",
    "on_join_not_found": "Không tìm thấy yêu cầu này.",
    "on_join_approved_user": (
        "✅ Yêu cầu tham gia <b>{unit}</b> đã được duyệt. Gửi số liệu, ví dụ "
        "<code>ASXH 1.234/5.678</code>; gõ /help để xem hướng dẫn."
    ),
    "on_join_rejected_user": (
        "Yêu cầu tham gia <b>{unit}</b> chưa được chấp thuận. Liên hệ quản trị viên nếu cần."
    ),
    "on_status_approved": "đã duyệt",
    "on_status_rejected": "đã từ chối",
    "on_status_pending": "chờ duyệt",
    "on_toi": "<b>Tài khoản của bạn</b>\nID: <code>{user_id}</code>\nVai trò: {role}",
    "on_toi_units": "Đơn vị: {units}",
    "on_toi_no_units": "Đơn vị: (chưa có)",
    "on_toi_groups": "Nhóm: {groups}",
    "on_toi_pending": "Yêu cầu chờ duyệt: {units}",
    "on_toi_any_unit": "Bạn có thể hỏi và thao tác cho mọi đơn vị.",
    "on_bot_added": (
        "Xin chào! Tôi là trợ lý Tổ Công tác Đề án 06. Quản trị viên gõ "
        "<code>/nhom Tên xã</code> hoặc <code>/nhom tinh</code> để gắn nhóm này với đơn vị; "
        "trong nhóm, gọi tôi bằng @tên hoặc trả lời tin nhắn của tôi."
    ),
    "cmd_dangky": "Đăng ký: /dangky mã mời hoặc tên xã",
    "cmd_toi": "Thông tin tài khoản của tôi",
}

EN = {
    "on_denied_stranger": (
        "You are not registered. Send <code>/dangky &lt;invite code&gt;</code> or "
        "<code>/dangky Commune name</code>."
    ),
    "on_denied_admin_only": "Only administrators may do this.",
    "on_denied_not_your_unit": "You may act only for your own units; <b>{unit}</b> is not one.",
    "on_denied_no_unit": "Your account has no unit yet. Send /dangky Commune name.",
    "on_role_admin": "administrator",
    "on_role_leader": "leader",
    "on_role_officer": "officer",
    "on_role_none": "not registered",
    "on_join_created": "Your request to join <b>{unit}</b> was sent to the administrators.",
    "on_join_exists": "Your request to join <b>{unit}</b> is waiting for approval.",
    "on_join_unknown_unit": "No unit named «{query}».",
    "on_did_you_mean": " Did you mean: {names}?",
    "on_toi": "<b>Your account</b>\nID: <code>{user_id}</code>\nRole: {role}",
    "on_toi_units": "Units: {units}",
    "on_toi_no_units": "Units: (none)",
    "on_toi_groups": "Groups: {groups}",
    "on_toi_pending": "Pending requests: {units}",
    "on_toi_any_unit": "You may ask about and act for every unit.",
}

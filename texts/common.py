"""Texts shared by every capability: greeting, help, errors, strangers."""

VI = {
    "start": (
        "Xin chào {name}! Tôi là trợ lý <b>Tổ Công tác Đề án 06</b> {province}.\n\n"
        "• Cán bộ gửi số liệu: <code>ASXH 1.234/5.678</code> hoặc "
        "<code>vinh thuy so suc khoe 2345/4000 hom qua</code>\n"
        "• Lãnh đạo hỏi: <i>xã nào dưới mức trung bình về tài khoản an sinh xã hội?</i>, "
        "<i>5 xã thấp nhất sổ sức khỏe</i>, <i>nhiệm vụ nào quá hạn?</i>\n"
        "• Mỗi sáng ngày làm việc: nhắc việc quá hạn, sắp đến hạn, đơn vị chưa báo cáo.\n\n"
        "Gõ /help để xem hướng dẫn đầy đủ."
    ),
    "help": (
        "<b>Hướng dẫn sử dụng</b>\n\n"
        "<b>1. Gửi số liệu</b> (cán bộ xã, phường, sở, ngành)\n"
        "<code>ASXH 1.234/5.678</code> — số đạt/tổng số, hôm nay\n"
        "<code>Vĩnh Thủy: sổ sức khỏe 2.345/4.000 tính đến 20/4</code>\n"
        "<code>Người có công 45/60; BTXH 120/300; lương hưu 98/100</code>\n"
        "<code>ĐDDT mức 2 đạt 83,2%</code> — khi đã có tổng số\n"
        "<code>đánh số nhà: đã thành lập BCĐ</code>\n"
        "Sửa tin nhắn đã gửi để sửa số liệu; /hoantac để hoàn tác; /lichsu để xem lịch sử.\n\n"
        "<b>2. Hỏi tình hình</b>\n"
        "<i>xã nào dưới mức trung bình ASXH?</i> · <i>top 10 ĐDDT</i> · "
        "<i>Vĩnh Thủy thế nào?</i> · <i>tình hình toàn tỉnh</i> · "
        "<i>xã nào chưa báo cáo tháng này?</i> · <i>biểu đồ ASXH</i>\n\n"
        "<b>3. Nhiệm vụ</b>\n"
        "<i>nhiệm vụ nào quá hạn?</i> · /nhiemvu · /xong 4 đã ban hành KH số 1199/KH-UBND · "
        "/nhacviec\n\n"
        "<b>4. Tệp</b>\n"
        "Gửi tệp .xlsx/.csv để nhập số liệu · /xuat ASXH · /baocao thang 4\n\n"
        "<b>5. Tài khoản</b>\n"
        "/dangky &lt;mã mời&gt; hoặc /dangky Vĩnh Thủy · /toi\n"
        "Quản trị viên: /moi (mã mời) · /gan (gán đơn vị) · /xoa (gỡ quyền) · "
        "/quyen (đổi vai trò) · /nhom (đơn vị của nhóm) · /dongbo (đồng bộ danh mục) · "
        "/saoluu (sao lưu)\n\n"
        "Trong nhóm: gọi @{bot_username} hoặc trả lời tin nhắn của tôi."
    ),
    "stranger": (
        "Bạn chưa đăng ký. Gửi <code>/dangky &lt;mã mời&gt;</code> (mã do quản trị viên cấp) "
        "hoặc <code>/dangky Tên xã</code>, ví dụ <code>/dangky Vĩnh Thủy</code>."
    ),
    "error": "Xin lỗi, đã có lỗi khi xử lý tin nhắn này. Vui lòng thử lại sau ít phút.",
    "no_token": (
        "Chưa có TELEGRAM_BOT_TOKEN: tạo bot với @BotFather trên Telegram (lệnh /newbot), "
        "rồi đặt TELEGRAM_BOT_TOKEN trong .env. Đang mở chế độ trò chuyện trên máy (console)."
        " / No TELEGRAM_BOT_TOKEN: create a bot with @BotFather (/newbot) and put the token "
        "in .env. Starting the local console chat instead."
    ),
    "rate_limited": "Bạn thao tác quá nhanh. Vui lòng đợi {seconds} giây rồi thử lại.",
    "cmd_start": "Bắt đầu, giới thiệu",
    "cmd_help": "Hướng dẫn sử dụng",
}

EN = {
    "start": (
        "Hello {name}! I am the assistant of the <b>Project 06 working group</b> {province}.\n\n"
        "• Officers send figures: <code>social accounts 1234 of 5678</code>\n"
        "• Leaders ask: <i>which communes are below average on VNeID social accounts?</i>, "
        "<i>top 10 e-ID</i>, <i>which tasks are overdue?</i>\n"
        "• Every working morning: overdue and due-soon tasks, units that have not reported.\n\n"
        "Send /help for the full guide (in Vietnamese)."
    ),
    "stranger": (
        "You are not registered yet. Send <code>/dangky &lt;invite code&gt;</code> or "
        "<code>/dangky commune name</code>, e.g. <code>/dangky Vinh Thuy</code>."
    ),
    "error": "Sorry, something went wrong with this message. Please try again in a few minutes.",
    "rate_limited": "Too fast. Please wait {seconds} seconds and try again.",
}

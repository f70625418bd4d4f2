"""Texts of the sheets capability: importing spreadsheets, exporting .xlsx, the .docx report."""

VI = {
    "sh_cmd_export": "Xuất Excel số liệu một chỉ tiêu",
    "sh_cmd_report": "Dự thảo báo cáo (.docx)",
    # import
    "sh_err_not_spreadsheet": (
        "Tệp <b>{filename}</b> không phải bảng tính. Vui lòng gửi tệp .xlsx hoặc .csv."
    ),
    "sh_err_broken": "Tệp <b>{filename}</b> bị hỏng, không mở được. Vui lòng lưu lại rồi gửi lại.",
    "sh_err_too_big": "Tệp <b>{filename}</b> quá lớn (tối đa {limit} MB).",
    "sh_err_too_many_rows": "Tệp <b>{filename}</b> có quá nhiều dòng (tối đa {rows} dòng).",
    "sh_err_zip_bomb": "Tệp <b>{filename}</b> có dung lượng giải nén bất thường, không mở.",
    "sh_err_empty": "Tệp <b>{filename}</b> không có dữ liệu.",
    "sh_err_no_header": (
        "Không tìm thấy dòng tiêu đề trong <b>{filename}</b>. Cần các cột như: "
        "<i>STT | Đơn vị | Số đã tích hợp | Tổng số | Tỷ lệ</i>."
    ),
    "sh_handoff": "Tệp này là bảng nhiệm vụ của kế hoạch, không phải bảng số liệu.",
    "sh_reading": "⏳ Đang đọc tệp <b>{filename}</b>…",
    "sh_ask_indicator": "Tệp <b>{filename}</b> là số liệu của chỉ tiêu nào?",
    "sh_ask_date": "Số liệu trong <b>{filename}</b> tính đến ngày nào?",
    "sh_preview_head": (
        "<b>Xem trước: {filename}</b>\n"
        "Chỉ tiêu: {indicators}\n"
        "Số liệu tính đến: {as_of}\n"
        "✅ Khớp: <b>{matched}</b> dòng (mới {new}, thay đổi {changed}, không đổi {same})"
    ),
    "sh_preview_unmatched": "❓ Không nhận ra tên đơn vị: <b>{count}</b> dòng",
    "sh_preview_unmatched_line": "  • dòng {line}: «{name}» — có phải {suggestions}?",
    "sh_preview_unmatched_none": "  • dòng {line}: «{name}»",
    "sh_preview_errors": "⚠️ Dòng có lỗi: <b>{count}</b>",
    "sh_preview_error_line": "  • dòng {line} ({name}): {reason}",
    "sh_preview_forbidden": (
        "⛔ Không thuộc đơn vị của bạn (không nhập): <b>{count}</b> dòng — {units}"
    ),
    "sh_preview_changes": "Thay đổi so với số liệu đã lưu:",
    "sh_preview_change_line": "  • {unit} — {indicator}: {before} → {after}",
    "sh_preview_new_line": "  • {unit} — {indicator}: {after} (mới)",
    "sh_preview_more": "  … và {count} dòng khác",
    "sh_preview_skipped": "Bỏ qua {count} dòng trống hoặc dòng tổng.",
    "sh_preview_nothing": "Không có dòng nào cần nhập.",
    "sh_preview_confirm": "Bấm <b>Nhập</b> để lưu {count} dòng hợp lệ, <b>Hủy</b> để bỏ.",
    "sh_btn_import": "✅ Nhập",
    "sh_btn_cancel": "✖️ Hủy",
    "sh_reason_number": "không phải số",
    "sh_reason_missing": "thiếu số liệu hoặc tổng số",
    "sh_reason_zero": "tổng số bằng 0",
    "sh_reason_over": "số đạt lớn hơn tổng số hoặc âm",
    "sh_reason_rate_mismatch": "tỷ lệ không khớp với số đạt/tổng số",
    "sh_reason_duplicate": "đơn vị lặp lại",
    "sh_reason_future": "ngày số liệu ở tương lai",
    "sh_reason_bad_date": "ngày không đọc được",
    "sh_reason_no_date": "thiếu ngày số liệu",
    "sh_progress": "⏳ Đang nhập… {done}/{total} dòng",
    "sh_done": (
        "✅ Đã nhập <b>{count}</b> dòng từ <b>{filename}</b> (lần nhập #{import_id}). "
        "Không đổi: {same}."
    ),
    "sh_done_nothing": "Không có số liệu mới để nhập từ <b>{filename}</b>.",
    "sh_cancelled": "Đã hủy, không lưu số liệu nào từ <b>{filename}</b>.",
    "sh_gone": "Bản xem trước này đã hết hạn hoặc đã được xử lý.",
    # export
    "sh_export_usage": "Dùng: <code>/xuat ASXH</code> — tên hoặc mã chỉ tiêu. Ví dụ: {examples}",
    "sh_export_caption": "📊 {indicator} — số liệu đến {as_of}",
    "sh_export_empty": "Chưa có số liệu {indicator} để xuất.",
    "sh_report_caption": "📝 Dự thảo báo cáo {label} — mở bằng Word để chỉnh sửa.",
    "sh_report_empty": "Chưa có số liệu để lập báo cáo.",
    "sh_working": "⏳ Đang lập tệp…",
    # .xlsx headers
    "sh_col_stt": "STT",
    "sh_col_unit": "Đơn vị",
    "sh_col_num": "Số đã đạt",
    "sh_col_den": "Tổng số",
    "sh_col_rate": "Tỷ lệ",
    "sh_col_target": "Chỉ tiêu",
    "sh_col_gap": "Còn thiếu so với chỉ tiêu",
    "sh_col_rank": "Xếp hạng",
    "sh_col_as_of": "Ngày số liệu",
    "sh_col_source": "Nguồn",
    "sh_col_created": "Thời điểm ghi nhận",
    "sh_col_code": "Mã đơn vị",
    "sh_sheet_data": "Số liệu {code}",
    "sh_sheet_history": "Lịch sử {code}",
    "sh_total_row": "Toàn tỉnh",
    # .docx report (the structure of the provincial quarterly report)
    "sh_doc_number": "Số:        /BC-TCT",
    "sh_doc_date": "{place}, ngày {day} tháng {month} năm {year}",
    "sh_doc_title": "BÁO CÁO",
    "sh_doc_subtitle": "Kết quả triển khai thực hiện Đề án 06 trên địa bàn tỉnh {province} {label}",
    "sh_doc_intro": (
        "Tổ Công tác Đề án 06 tỉnh {province} tổng hợp báo cáo tình hình, kết quả thực hiện "
        "tại địa phương {label}, cụ thể như sau:"
    ),
    "sh_doc_section_results": "I. KẾT QUẢ CÁC MẶT CÔNG TÁC",
    "sh_doc_section_issues": "II. TỒN TẠI, HẠN CHẾ",
    "sh_doc_target": " (năm {year} giao chỉ tiêu {rate})",
    "sh_doc_sentence": "Toàn tỉnh đã có {count} {noun}, đạt tỷ lệ {rate}",
    "sh_doc_change": ", {change} so với đầu năm {year}",
    "sh_doc_full": "Trong đó, có {count} địa phương{ref} đạt tỷ lệ 100%",
    "sh_doc_full_none": "Trong đó, chưa có địa phương nào đạt tỷ lệ 100%",
    "sh_doc_below": "; {count} địa phương{ref} có tỷ lệ thấp hơn mức trung bình toàn tỉnh",
    "sh_doc_chart": "Biểu đồ xếp hạng các địa phương: {indicator}",
    "sh_doc_notes": "Ghi chú:",
    "sh_doc_off_track": (
        "{short}: tính đến ngày {as_of}, đạt {rate} ({count}), chưa đạt chỉ tiêu giao {target}"
    ),
    "sh_doc_off_track_due": " (hạn {due}, đã quá hạn)",
    "sh_doc_not_meeting": ". Trong đó, có {count} địa phương{ref} chưa đạt chỉ tiêu giao",
    "sh_doc_overdue_head": "Có {count} nhiệm vụ đã quá thời hạn nhưng chưa hoàn thành:",
    "sh_doc_overdue_line": "{label} {title} ({lead}): hạn {due}, quá hạn {days} ngày.",
    "sh_doc_no_issues": "Chưa ghi nhận tồn tại, hạn chế từ số liệu và nhiệm vụ trên hệ thống.",
    "sh_doc_until": "đến ngày {date}",
}

EN = {
    "sh_err_not_spreadsheet": "<b>{filename}</b> is not a spreadsheet. Please send .xlsx or .csv.",
    "sh_err_broken": "<b>{filename}</b> is damaged and cannot be opened.",
    "sh_err_too_big": "<b>{filename}</b> is too big (at most {limit} MB).",
    "sh_err_too_many_rows": "<b>{filename}</b> has too many rows (at most {rows}).",
    "sh_err_zip_bomb": "<b>{filename}</b> unpacks to an abnormal size; not opened.",
    "sh_err_empty": "<b>{filename}</b> has no data.",
    "sh_err_no_header": (
        "No header row found in <b>{filename}</b>. Expected columns such as "
        "<i>No | Unit | Done | Total | Rate</i>."
    ),
    "sh_ask_indicator": "Which indicator are the figures in <b>{filename}</b> for?",
    "sh_ask_date": "As of which day are the figures in <b>{filename}</b>?",
    "sh_btn_import": "✅ Import",
    "sh_btn_cancel": "✖️ Cancel",
    "sh_cancelled": "Cancelled; nothing from <b>{filename}</b> was stored.",
    "sh_gone": "This preview has expired or was already handled.",
}

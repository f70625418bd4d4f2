"""Texts of the charts capability (captions, no-chart reasons, buttons): keys ch_…"""

VI = {
    "ch_button_original": "📎 Tải bản gốc",
    "ch_scope_units": "{n} xã, phường, đặc khu",
    "ch_province": "Toàn tỉnh",
    "ch_ranking_head": "<b>{indicator}</b> — xếp hạng các địa phương, số liệu đến {date}",
    "ch_province_rate": "Toàn tỉnh: <b>{rate}</b> ({num}/{den})",
    "ch_below": "{count}/{of} địa phương dưới mức toàn tỉnh (màu cam)",
    "ch_target": "Chỉ tiêu: {rate} trước {due}",
    "ch_missing": "{count} địa phương chưa có số liệu (ghi dưới biểu đồ)",
    "ch_ranking_more": (
        "Ảnh: các địa phương thấp nhất và cao nhất; đủ danh sách trong [Tải bản gốc]."
    ),
    "ch_trend_head": "<b>{indicator}</b> — diễn biến theo tháng, số liệu đến {date}",
    "ch_series_last": "{name}: <b>{rate}</b>",
    "ch_series_none": "{name}: chưa có số liệu",
    "ch_projection": "Theo tốc độ hiện nay, đến {due} đạt khoảng <b>{rate}</b> (chỉ tiêu {target})",
    "ch_projection_reach": (
        "Theo tốc độ hiện nay, đạt chỉ tiêu {target} vào khoảng <b>{day}</b> (hạn {due})"
    ),
    "ch_deadline_passed": "Hạn {due} (chỉ tiêu {target}) đã qua",
    "ch_dash_head": "<b>{unit}</b> — các chỉ tiêu, số liệu đến {date}",
    "ch_dash_counts": "Đạt chỉ tiêu: <b>{reached}/{of}</b>; dưới mức toàn tỉnh: {below}/{of}",
    "ch_dash_yesno": "Việc đã xong: {done}/{of}",
    "ch_dash_missing": "{count} chỉ tiêu chưa có số liệu",
    "ch_tasks_head": "<b>Tiến độ nhiệm vụ — {scope}</b>, đến {date}",
    "ch_tasks_counts": (
        "{total} nhiệm vụ: <b>{overdue} quá hạn</b>, {done} đã xong, {recurring} thường xuyên"
    ),
    "ch_no_data": "Chưa có số liệu {indicator} đến {date} nên chưa vẽ được biểu đồ.",
    "ch_unit_no_data": "{unit} chưa có số liệu nào đến {date} nên chưa vẽ được biểu đồ.",
    "ch_no_indicators": "{unit} không được giao chỉ tiêu nào để vẽ biểu đồ.",
    "ch_yesno": (
        "{indicator} là chỉ tiêu có/không: xem biểu đồ của từng địa phương thay vì xếp hạng."
    ),
    "ch_tasks_none": "Chưa có nhiệm vụ nào có thời hạn để vẽ lên trục thời gian.",
    "ch_unknown_indicator": "Không rõ chỉ tiêu cần vẽ; ví dụ: <i>biểu đồ ASXH</i>.",
    "ch_need_indicator": "Cần vẽ chỉ tiêu nào? Ví dụ: <i>biểu đồ ASXH</i>, <i>xu hướng SKDT</i>.",
    "ch_unknown_unit": "Không rõ địa phương cần vẽ; ví dụ: <i>biểu đồ Vĩnh Thủy</i>.",
    "ch_expired": "Nút này đã cũ; hãy hỏi lại.",
    "ch_failed": "Không vẽ được biểu đồ lúc này; số liệu vẫn có trong câu trả lời bằng chữ.",
}

EN = {
    "ch_button_original": "📎 Download original",
    "ch_scope_units": "{n} communes",
    "ch_province": "Province",
    "ch_ranking_head": "<b>{indicator}</b> — communes ranked, figures as of {date}",
    "ch_province_rate": "Province: <b>{rate}</b> ({num}/{den})",
    "ch_below": "{count}/{of} communes below the province rate (orange)",
    "ch_target": "Target: {rate} by {due}",
    "ch_missing": "{count} communes without figures (listed under the chart)",
    "ch_ranking_more": "Picture: the lowest and highest; the full list in [Download original].",
    "ch_trend_head": "<b>{indicator}</b> — month by month, figures as of {date}",
    "ch_series_last": "{name}: <b>{rate}</b>",
    "ch_series_none": "{name}: no figures yet",
    "ch_projection": "At the current pace, about <b>{rate}</b> by {due} (target {target})",
    "ch_projection_reach": (
        "At the current pace, the {target} target is reached around <b>{day}</b> (due {due})"
    ),
    "ch_deadline_passed": "The deadline {due} (target {target}) has passed",
    "ch_dash_head": "<b>{unit}</b> — indicators, figures as of {date}",
    "ch_dash_counts": "Target reached: <b>{reached}/{of}</b>; below the province: {below}/{of}",
    "ch_dash_yesno": "Done: {done}/{of}",
    "ch_dash_missing": "{count} indicators without figures",
    "ch_tasks_head": "<b>Task progress — {scope}</b>, as of {date}",
    "ch_tasks_counts": (
        "{total} tasks: <b>{overdue} overdue</b>, {done} done, {recurring} recurring"
    ),
    "ch_no_data": "No {indicator} figures as of {date} yet, so there is no chart to draw.",
    "ch_unit_no_data": "{unit} has no figures as of {date} yet, so there is no chart to draw.",
    "ch_no_indicators": "{unit} has no indicators assigned to chart.",
    "ch_yesno": "{indicator} is a yes/no indicator: see a commune's chart instead of a ranking.",
    "ch_tasks_none": "No task with a deadline to put on a time line yet.",
    "ch_unknown_indicator": "Which indicator? For example: <i>chart of social accounts</i>.",
    "ch_need_indicator": "Which indicator? For example: <i>chart of social accounts</i>.",
    "ch_unknown_unit": "Which commune? For example: <i>chart of Vĩnh Thủy</i>.",
    "ch_expired": "This button is out of date; please ask again.",
    "ch_failed": "I could not draw the chart just now; the figures are in the text answer.",
}

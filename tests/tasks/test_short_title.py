"""Task lines stay short enough to scan on a phone."""

from handlers.tasks import short_title


def test_short_titles_are_kept() -> None:
    assert short_title("Duy trì làm sạch CSDL về bảo hiểm y tế") == (
        "Duy trì làm sạch CSDL về bảo hiểm y tế"
    )


def test_long_titles_are_cut_at_a_word_with_an_ellipsis() -> None:
    title = "Đẩy nhanh tiến độ hoàn thành thu thập chính xác và ký xác nhận đầy đủ " * 4
    short = short_title(title)
    assert len(short) <= 122 and short.endswith(" …")
    assert title.startswith(short[:-2])


def test_only_the_first_paragraph_is_shown() -> None:
    short = short_title("Xây dựng Kế hoạch năm 2026.\nThực hiện chế độ báo cáo trước ngày 12")
    assert short == "Xây dựng Kế hoạch năm 2026 …"

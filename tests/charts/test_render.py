import gc
import io
from concurrent.futures import ThreadPoolExecutor

import matplotlib.image as mpimg
import pytest

from charts import render, style
from domain.chartspec import RankRow
from tests.charts import dashboard, png_size, ranking, tasks, trend


@pytest.mark.parametrize("make", [ranking, trend, dashboard, tasks])
def test_dispatch(make):
    spec = make()
    assert render.has_data(spec)
    data = render.render_png(spec)
    assert png_size(data)[0] <= 1280
    image = mpimg.imread(io.BytesIO(data), format="png")
    assert image.shape[1] == png_size(data)[0] and image.shape[0] == png_size(data)[1]


def test_unknown_spec():
    with pytest.raises(TypeError):
        render.render_png("not a chart")
    with pytest.raises(TypeError):
        render.has_data(42)


def test_no_data_is_a_value_error():
    spec = ranking(rows=[RankRow("Xã A", None)])
    with pytest.raises(ValueError):
        render.render_png(spec)
    try:
        render.render_png(spec)
    except render.NoData as exc:
        assert exc.spec is spec


def test_no_figure_leaks():
    gc.collect()
    live, tracked = style.live_figures(), style.tracked_figures()
    specs = [ranking(12), trend(), dashboard(), tasks()]
    for i in range(50):
        render.render_png(specs[i % 4])
    for _ in range(3):  # a failing build must release its figure too
        with pytest.raises(render.NoData):
            render.render_png(ranking(rows=[RankRow("Xã A", None)]))
    assert style.live_figures() == live
    gc.collect()
    assert style.tracked_figures() <= tracked


def test_failure_inside_a_builder_releases(monkeypatch):
    live = style.live_figures()

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(style, "put_legend", boom)
    with pytest.raises(RuntimeError):
        render.render_png(ranking(10))
    assert style.live_figures() == live


def test_build_and_release():
    live = style.live_figures()
    fig = render.build_figure(dashboard())
    assert style.live_figures() == live + 1
    style.release(fig)
    style.release(fig)  # twice is harmless
    assert style.live_figures() == live


def test_threads_render_concurrently():
    specs = [ranking(40), trend(), dashboard(), tasks()] * 3
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(render.render_png, specs))
    serial = render.render_png(specs[0])
    assert all(png_size(r)[0] <= 1280 for r in results)
    assert png_size(results[0]) == png_size(serial)

"""Charts for the bot: a spec from `domain.chartspec` in, PNG bytes out.

Pure: no database, no Telegram, no pyplot. Entry point: `charts.render.render_png(spec)`
(raises `charts.render.NoData`; check `charts.render.has_data(spec)` first). Each chart module
also offers `build_*_figure(spec) -> Figure` for structural tests; the shared look and the
Vietnamese number formats live in `charts.style`.
"""

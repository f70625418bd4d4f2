"""current_figures: each (indicator, unit)'s latest live figure, kept by the store; ix_figures_live

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 11:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = "indicator_id, unit_id, figure_id, numerator, denominator, done, as_of, derived"

# One statement, the same on SQLite and PostgreSQL: each pair's latest live figure.
BACKFILL = f"""
INSERT INTO current_figures ({COLUMNS})
SELECT indicator_id, unit_id, id, numerator, denominator, done, as_of, derived
FROM (
    SELECT id, indicator_id, unit_id, numerator, denominator, done, as_of, derived,
           ROW_NUMBER() OVER (
               PARTITION BY indicator_id, unit_id ORDER BY as_of DESC, id DESC
           ) AS rn
    FROM figures
    WHERE superseded_by IS NULL AND NOT voided
) AS ranked
WHERE rn = 1
"""


def upgrade() -> None:
    op.create_table(
        "current_figures",
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("figure_id", sa.Integer(), nullable=False),
        sa.Column("numerator", sa.BigInteger(), nullable=True),
        sa.Column("denominator", sa.BigInteger(), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("derived", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["figure_id"], ["figures.id"], name=op.f("fk_current_figures_figure_id_figures")
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_current_figures_indicator_id_indicators"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_current_figures_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("indicator_id", "unit_id", name=op.f("pk_current_figures")),
    )
    with op.batch_alter_table("current_figures", schema=None) as batch_op:
        batch_op.create_index("ix_current_figures_unit", ["unit_id", "indicator_id"], unique=False)
    with op.batch_alter_table("figures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_figures_live", ["indicator_id", "unit_id", "as_of", "id"], unique=False,
            sqlite_where=sa.text("superseded_by IS NULL AND voided IS 0"),
            postgresql_where=sa.text("superseded_by IS NULL AND voided IS false"),
        )  # fmt: skip
    op.execute(sa.text(BACKFILL))


def downgrade() -> None:
    with op.batch_alter_table("figures", schema=None) as batch_op:
        batch_op.drop_index("ix_figures_live")
    with op.batch_alter_table("current_figures", schema=None) as batch_op:
        batch_op.drop_index("ix_current_figures_unit")
    op.drop_table("current_figures")

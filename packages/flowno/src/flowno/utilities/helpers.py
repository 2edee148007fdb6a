"""``flowno.utilities.helpers``: alias of the generation helpers of ``flowno_flow``."""

from flowno_flow import (
    clip_generation,
    cmp_generation,
    inc_generation,
    main_generation,
    parent_generation,
    stitched_generation,
)

__all__ = [
    "clip_generation",
    "cmp_generation",
    "inc_generation",
    "main_generation",
    "parent_generation",
    "stitched_generation",
]

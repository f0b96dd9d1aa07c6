"""The `hitl` entry point. Its one job: start fast.

Start-up allocates a great deal and frees almost nothing, so the cyclic garbage collector's passes are wasted
there (~10 ms before the first frame). Collection is off from the first import until the review station has
drawn its first frame (it then freezes what start-up made and turns collection back on), or until main() sees
that another command is running.
"""

import gc


def main() -> int:
    gc.disable()
    from .cli import main as cli_main

    return cli_main()

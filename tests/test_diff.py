"""The revision diff reads without colour: a rewritten sentence is one replacement, paragraph breaks stay put."""

from hitl_tui.ui.screens.diff import word_diff


def test_rewritten_sentence_is_one_replacement_not_word_confetti():
    old = "Intro line.\n\nIt is designed around how you already work, so there is nothing new to learn.\n\nRead it."
    new = "Intro line.\n\nCustomer story landing: built for agency owners comparing feedback tools.\n\nRead it."
    assert word_diff(old, new).plain == (
        "Intro line.\n\n[-It is designed around how you already work, so there is nothing new to learn.-]"
        "{+Customer story landing: built for agency owners comparing feedback tools.+}\n\nRead it.")


def test_single_word_changes_stay_single():
    assert word_diff("The quick brown fox jumps over the lazy dog.", "The quick red fox jumps over the lazy cat.").plain \
        == "The quick [-brown-]{+red+} fox jumps over the lazy [-dog.-]{+cat.+}"


def test_nearby_changes_fold_together_and_markup_in_text_stays_literal():
    diff = word_diff("[bold]Save[/] big on plans", "[bold]Save[/] more on every plan")
    assert diff.plain == "[bold]Save[/] [-big on plans-]{+more on every plan+}"
    assert word_diff("x", "").plain == "[-x-]" and word_diff("", "y").plain == "{+y+}"

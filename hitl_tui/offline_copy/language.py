"""Which language a brief is written in, well enough to be honest: the offline drafter writes English only, and a
German brief answered in English boilerplate is worse than a plain note saying so."""

from __future__ import annotations

import re
import unicodedata

# Frequent short words that are rare in English text; a brief of a few sentences has several of them.
_STOPWORDS = {
    "German": "der die das und ist nicht mit für auf ein eine einen dem den des von zu im bis sie wir ihr unser "
              "unsere sich auch oder bei aus nach wie werden wird alle jetzt noch nur über",
    "French": "le la les et est une des du pour avec sur dans pas vous nous votre notre au aux ce cette qui que "
              "jusqu tous toutes plus sont par",
    "Spanish": "el los las y es una del para con por en su sus nuestro nuestra que hasta todos todas más ahora "
               "muy este esta",
    "Italian": "il gli le e è una del della per con che non sono tutti tutte fino ai alla nostro nostra questo "
               "più ora",
    "Portuguese": "o os as e é uma do da dos das para com por em não seu sua nosso nossa até todos mais agora "
                  "você",
    "Dutch": "de het een en is van voor met op niet ons onze jullie tot alle nu ook bij naar wordt zijn",
}
_ENGLISH = set("the and is are to of for with on in our your you we a an it this that be will all now until by "
               "from at their they can".split())
_SCRIPTS = [("Japanese", ("HIRAGANA", "KATAKANA")), ("Korean", ("HANGUL",)), ("Chinese", ("CJK",)),
            ("Russian", ("CYRILLIC",)), ("Arabic", ("ARABIC",)), ("Hebrew", ("HEBREW",)), ("Greek", ("GREEK",)),
            ("Thai", ("THAI",)), ("Hindi", ("DEVANAGARI",))]
_LISTS = {lang: set(words.split()) for lang, words in _STOPWORDS.items()}


def brief_language(text: str) -> str:
    """'English', or the name of the language the text is mostly in."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "English"
    other = [c for c in letters if not unicodedata.name(c, "LATIN").startswith("LATIN")]
    if len(other) > len(letters) * 0.3:
        names = [unicodedata.name(c, "") for c in other]
        for language, prefixes in _SCRIPTS:  # Japanese before Chinese: Japanese text also uses CJK characters
            if any(n.startswith(prefixes) for n in names):
                return language
        return "a language other than English"
    tokens = re.findall(r"[^\W\d_]+", text.lower())
    english = sum(t in _ENGLISH for t in tokens)
    counts = {lang: sum(t in words and t not in _ENGLISH for t in tokens) for lang, words in _LISTS.items()}
    language, count = max(counts.items(), key=lambda kv: kv[1])
    return language if count >= 3 and count > english else "English"


def english_only_note(language: str) -> str:
    """What the offline drafter writes instead of a draft for a brief it cannot write in its language."""
    return (f"This brief is in {language}, and the built-in offline drafter writes English only, so it has not drafted it: "
            f"an English draft or a mix of the two would not be usable copy.\n\n"
            f"To draft it in {language if language[:1].isupper() else 'its language'}, set a real model in "
            f"hitl.toml under [drafting] models (any model string litellm knows), or pass --model to "
            f"`hitl draft`. To try the offline drafter, write the brief in English.")

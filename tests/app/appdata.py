"""Paths and small inline data files shared by the app's tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app_script.py")  # the script every session runs (app.py is the server: st.App)
DEMO_2014 = ROOT / "demo" / "restaurants_2014_demo.xml"
DEMO_2016 = ROOT / "demo" / "restaurants_2016_demo.xml"
BROKEN = ROOT / "demo" / "broken_demo.xml"

SENTENCES = [
    ("great food and lovely staff", "positive"),
    ("awful cold soup", "negative"),
    ("I loved every minute", "positive"),
    ("terrible service and rude waiters", "negative"),
    ("not bad at all", "positive"),
    ("the worst meal ever", "negative"),
    ("a warm and friendly place", "positive"),
    ("bland , greasy and overpriced", "negative"),
]

CONLLU = """# sent_id = t1
1	The	the	DET	_	_	2	det	_	_
2	food	food	NOUN	_	_	3	nsubj	_	_
3	was	be	AUX	_	_	0	root	_	_
4	great	great	ADJ	_	_	3	xcomp	_	_
5	.	.	PUNCT	_	_	3	punct	_	_

# sent_id = t2
1	Staff	staff	NOUN	_	_	2	nsubj	_	_
2	smiled	smile	VERB	_	_	0	root	_	_
3	.	.	PUNCT	_	_	2	punct	_	_

# sent_id = t3
1	The	the	DET	_	_	2	det	_	_
2	soup	soup	NOUN	_	_	3	nsubj	_	_
3	was	be	AUX	_	_	0	root	_	_
4	cold	cold	ADJ	_	_	3	xcomp	_	_
5	.	.	PUNCT	_	_	3	punct	_	_
"""

HOSTILE_XML = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<sentences><sentence id="1"><text>&lol2;</text></sentence></sentences>
"""

# ----------------------------------------------------------------------------- hostile strings
# Markdown images and links, HTML and scripts in every user-controlled string. The host is on no network: a
# browser that fetched it would show up as a request off the machine (tests/app/test_browser.py fails on those).
HOST = "seqcore-test.invalid"
IMG = f"![img](http://{HOST}/i.png)"
LINK = f"[link](http://{HOST}/l)"
TAG = f'<img src="http://{HOST}/t.png" onerror="window.__seqcoreHacked=1">'
SCRIPT = "<script>window.__seqcoreHacked=1</script>"
HOSTILE_NAME = f"![f](https:{HOST})<b>x</b>.xml"  # no slash: a browser's file name cannot hold one


def hostile_semeval() -> bytes:
    """A SemEval-2016 file whose sentence ids, text, terms and categories carry Markdown, HTML and scripts."""
    from xml.sax.saxutils import escape, quoteattr

    text = f"The {IMG} was great but {TAG} {SCRIPT} and the pasta was cold ."
    term = IMG
    start = text.index(term)
    pasta = text.index("pasta")
    opinions = [
        (term, "FOOD#QUALITY", "positive", start, start + len(term)),
        ("pasta", "FOOD#QUALITY", "negative", pasta, pasta + 5),
        ("pasta", "FOOD#STYLE_OPTIONS", "negative", pasta, pasta + 5),  # the same span again: merged, counted
        ("NULL", f"{LINK}#{IMG}", "positive", 0, 0),
        ("pasta", "FOOD#PRICES", f"{IMG}{SCRIPT}", pasta, pasta + 5),  # a polarity quoted by a problem
    ]
    rows = "".join(
        f'<Opinion target={quoteattr(t)} category={quoteattr(c)} polarity={quoteattr(p)} from="{a}" to="{b}"/>'
        for t, c, p, a, b in opinions
    )
    sid = quoteattr(f"{IMG}{TAG}:0")
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Reviews><Review rid={quoteattr(LINK)}><sentences>'
        f"<sentence id={sid}><text>{escape(text)}</text><Opinions>{rows}</Opinions></sentence>"
        f'<sentence id="plain:1"><text>{escape(LINK)} service was slow .</text><Opinions>'
        f'<Opinion target="service" category="SERVICE#GENERAL" polarity="negative" from="{len(LINK) + 1}" to="{len(LINK) + 8}"/>'
        "</Opinions></sentence></sentences></Review></Reviews>"
    ).encode()


HOSTILE_TSV = f"positive\t{IMG} lovely {SCRIPT}\nnegative\t{TAG} awful\n{LINK}\t{IMG} unknown label\nno tab {IMG}\n".encode()
HOSTILE_CONLLU = f"""# sent_id = {IMG}{SCRIPT}
1	The	the	DET	_	_	2	det	_	_
2	{IMG}	x	NOUN	_	_	0	root	_	_
3	{TAG}	x	{LINK}	_	_	2	dep	_	_
""".encode()

"""Paths and small inline data files shared by the app's tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
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

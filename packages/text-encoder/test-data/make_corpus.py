#!/usr/bin/env python3
"""Writes corpus.txt: deterministic caption-like training text for the small SentencePiece test models.

Only the Python standard library; the same seed always gives the same corpus, so build-models.sh
reproduces the committed .model files. Run: python3 make_corpus.py corpus.txt
"""
import random
import sys

SUBJECTS = ["dog", "cat", "bird", "horse", "car", "bicycle", "man", "woman", "child", "boat", "train",
            "airplane", "tree", "house", "bridge", "mountain", "river", "street", "table", "chair",
            "computer", "phone", "book", "cup", "pizza", "sandwich", "flower", "garden", "beach", "city"]
ADJECTIVES = ["red", "blue", "green", "small", "large", "old", "young", "happy", "wooden", "shiny",
              "dark", "bright", "white", "black", "yellow", "tall", "short", "busy", "quiet", "wet"]
VERBS = ["sitting on", "standing next to", "running across", "lying under", "looking at", "jumping over",
         "parked near", "floating on", "hanging above", "walking along", "holding", "eating"]
PLACES = ["the park", "a table", "the road", "the grass", "a sofa", "the water", "a wall", "the snow",
          "a field", "the kitchen", "a shelf", "the sidewalk"]
TEMPLATES = [
    "a photo of a {adj} {subj}.",
    "a {adj} {subj} {verb} {place}",
    "There is a {subj} {verb} {place}, and a {adj2} {subj2} in the background.",
    "{n} {subj}s {verb} {place}!",
    "Close-up of the {subj}'s {adj} surface; taken in {year}.",
    "A {adj} {subj} (left) and a {adj2} {subj2} (right) {verb} {place}?",
    "\"{Subj}\" - {adj} and {adj2}: {n} pieces, {n2}% off",
]
# A little non-ASCII text so that the vocabularies hold some of it (and miss rarer characters).
EXTRA = ["café au lait on a table", "a naïve painting of Zürich", "résumé and coffee", "crème brûlée",
         "東京 の 夜景", "the cat is called Ελλάδα", "Москва at night", "São Paulo street", "jalapeño pizza",
         "über den Wolken", "façade of an old house", "piñata at a party"]


def main(path: str) -> None:
    rng = random.Random(20260101)
    lines = []
    for _ in range(6000):
        t = rng.choice(TEMPLATES)
        subj, subj2 = rng.choice(SUBJECTS), rng.choice(SUBJECTS)
        line = t.format(adj=rng.choice(ADJECTIVES), adj2=rng.choice(ADJECTIVES), subj=subj, subj2=subj2,
                        Subj=subj.capitalize(), verb=rng.choice(VERBS), place=rng.choice(PLACES),
                        n=rng.randint(2, 99), n2=rng.randint(1, 100), year=rng.randint(1950, 2030))
        if rng.random() < 0.3:
            line = line.capitalize()
        lines.append(line)
        if rng.random() < 0.05:
            lines.append(rng.choice(EXTRA))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "corpus.txt")

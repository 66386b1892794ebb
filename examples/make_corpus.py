"""Write examples/corpus.txt: sentences from a small grammar whose words have clear relations.

Royalty and family words differ by gender in the same contexts (king/queen, man/woman, boy/girl, ...), capitals
appear with their countries, animals with their sounds and foods with eating, so that after a few seconds of
training `w2v nearest king` finds queen and prince, and `w2v analogy man king woman` finds queen.
Deterministic: the same seed writes the same file. Usage: python examples/make_corpus.py [--sentences N]
"""

import argparse
import random
from pathlib import Path

PAIRS = [("king", "queen"), ("man", "woman"), ("boy", "girl"), ("prince", "princess"), ("father", "mother"),
         ("son", "daughter"), ("brother", "sister"), ("husband", "wife"), ("uncle", "aunt"), ("lord", "lady")]
ROYAL = {"king", "queen", "prince", "princess", "lord", "lady"}
CAPITALS = [("paris", "france"), ("berlin", "germany"), ("rome", "italy"), ("madrid", "spain"),
            ("lisbon", "portugal"), ("vienna", "austria"), ("athens", "greece"), ("oslo", "norway"),
            ("tokyo", "japan"), ("cairo", "egypt")]
ANIMALS = [("dog", "barks"), ("cat", "meows"), ("cow", "moos"), ("lion", "roars"), ("duck", "quacks"),
           ("horse", "neighs"), ("owl", "hoots"), ("sheep", "bleats")]
FOODS = ["bread", "cheese", "apples", "rice", "soup", "fish", "cake", "pasta"]
DRINKS = ["coffee", "tea", "milk", "water", "juice"]
WEATHER = ["rain", "snow", "hail", "wind", "fog"]
GOOD, BAD = ["great", "wonderful", "brilliant", "amazing", "enjoyable"], ["boring", "bad", "dumb", "annoying", "awful"]
PLACES = ["castle", "palace", "village", "market", "garden", "river", "forest", "city"]


def person_sentence(rng: random.Random) -> str:
    male, female = rng.choice(PAIRS)
    he, she = rng.random() < 0.5, rng.choice(PAIRS)
    word = male if he else female
    pronoun, possessive = ("he", "his") if he else ("she", "her")
    spouse = female if he else male
    templates = [f"the {word} said that {pronoun} loved {possessive} {spouse}",
                 f"the {word} walked to the {rng.choice(PLACES)} with {possessive} {rng.choice(she)}",
                 f"{pronoun} is a {word} and {pronoun} lives in the {rng.choice(PLACES)}",
                 f"the old {word} and the young {word} ate {rng.choice(FOODS)} together"]
    if word in ROYAL:
        templates += [f"the {word} ruled the kingdom from {possessive} palace",
                      f"the {word} wore {possessive} crown at the royal court",
                      f"the royal {word} sat on the throne of the kingdom"]
    return rng.choice(templates)


def other_sentence(rng: random.Random) -> str:
    city, country = rng.choice(CAPITALS)
    animal, sound = rng.choice(ANIMALS)
    food, drink, weather = rng.choice(FOODS), rng.choice(DRINKS), rng.choice(WEATHER)
    mood = rng.choice(GOOD if rng.random() < 0.5 else BAD)
    return rng.choice([f"{city} is the capital of {country}", f"the capital of {country} is {city}",
                       f"we flew from {city} in {country} to {rng.choice(CAPITALS)[0]}",
                       f"the {animal} {sound} in the {rng.choice(PLACES)}", f"every {animal} {sound} at night",
                       f"they eat {food} and drink {drink} every morning", f"a cup of {drink} with some {food}",
                       f"the {weather} fell on the {rng.choice(PLACES)} all day",
                       f"the film was {mood} and the music was {mood}", f"what a {mood} story"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=2013)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("corpus.txt"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    lines = [person_sentence(rng) if rng.random() < 0.6 else other_sentence(rng) for _ in range(args.sentences)]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

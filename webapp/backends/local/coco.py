"""The 80 COCO classes of the object detector as Rekognition-style label names with parents.

Parents come from the ImageNet taxonomy when it knows the name (so "Cat" from the detector
and "Cat" from the classifier carry the same parents); the fallbacks below are for names the
taxonomy lacks.
"""
from __future__ import annotations

from functools import lru_cache

from webapp.backends.local.taxonomy import load_taxonomy

# (label name, parents used when the taxonomy does not know the name), in COCO's class order.
COCO_LABELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Person", ()), ("Bicycle", ("Vehicle", "Transportation")), ("Car", ("Vehicle", "Transportation")),
    ("Motorcycle", ("Vehicle", "Transportation")), ("Airplane", ("Aircraft", "Vehicle", "Transportation")),
    ("Bus", ("Vehicle", "Transportation")), ("Train", ("Vehicle", "Transportation")),
    ("Truck", ("Vehicle", "Transportation")), ("Boat", ("Watercraft", "Vehicle", "Transportation")),
    ("Traffic Light", ("Light",)), ("Fire Hydrant", ()), ("Stop Sign", ("Road Sign", "Sign", "Symbol")),
    ("Parking Meter", ()), ("Bench", ("Furniture",)), ("Bird", ("Animal",)),
    ("Cat", ("Pet", "Animal", "Mammal")), ("Dog", ("Pet", "Animal", "Mammal", "Canine")),
    ("Horse", ("Mammal", "Animal")), ("Sheep", ("Mammal", "Livestock", "Animal")),
    ("Cow", ("Cattle", "Mammal", "Livestock", "Animal")), ("Elephant", ("Mammal", "Wildlife", "Animal")),
    ("Bear", ("Mammal", "Wildlife", "Animal")), ("Zebra", ("Mammal", "Wildlife", "Animal")),
    ("Giraffe", ("Mammal", "Wildlife", "Animal")), ("Backpack", ("Bag", "Accessories")),
    ("Umbrella", ("Accessories",)), ("Handbag", ("Bag", "Accessories")), ("Tie", ("Accessories",)),
    ("Suitcase", ("Luggage", "Bag", "Accessories")), ("Frisbee", ("Toy",)), ("Ski", ("Sport",)),
    ("Snowboard", ("Sport",)), ("Ball", ("Sport",)), ("Kite", ("Toy",)), ("Baseball Bat", ("Sport",)),
    ("Baseball Glove", ("Sport",)), ("Skateboard", ("Sport",)), ("Surfboard", ("Sport",)),
    ("Tennis Racket", ("Racket", "Sport")), ("Bottle", ()), ("Wine Glass", ("Glass", "Tableware")),
    ("Cup", ("Tableware",)), ("Fork", ("Cutlery", "Kitchenware")), ("Knife", ("Cutlery", "Kitchenware")),
    ("Spoon", ("Cutlery", "Kitchenware")), ("Bowl", ("Tableware",)), ("Banana", ("Fruit", "Food", "Plant")),
    ("Apple", ("Fruit", "Food", "Plant")), ("Sandwich", ("Food",)), ("Orange", ("Fruit", "Food", "Plant")),
    ("Broccoli", ("Vegetable", "Food", "Plant")), ("Carrot", ("Vegetable", "Food", "Plant")),
    ("Hot Dog", ("Food",)), ("Pizza", ("Food",)), ("Donut", ("Dessert", "Food")), ("Cake", ("Dessert", "Food")),
    ("Chair", ("Furniture",)), ("Couch", ("Furniture",)), ("Potted Plant", ("Plant",)), ("Bed", ("Furniture",)),
    ("Dining Table", ("Table", "Furniture")), ("Toilet", ("Bathroom", "Indoors")), ("TV", ("Electronics",)),
    ("Laptop", ("Computer", "Electronics")), ("Computer Mouse", ("Electronics",)),
    ("Remote Control", ("Electronics",)), ("Computer Keyboard", ("Electronics",)),
    ("Mobile Phone", ("Phone", "Electronics")), ("Microwave", ("Appliance",)), ("Oven", ("Appliance",)),
    ("Toaster", ("Appliance",)), ("Sink", ()), ("Refrigerator", ("Appliance",)), ("Book", ("Publication",)),
    ("Clock", ()), ("Vase", ("Pottery", "Home Decor")), ("Scissors", ("Tool",)), ("Teddy Bear", ("Toy",)),
    ("Hair Drier", ("Appliance",)), ("Toothbrush", ()),
)


@lru_cache(maxsize=1)
def coco_labels() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(name, parents) for each COCO class index, parents taken from the taxonomy where it has the name."""
    taxonomy = load_taxonomy()
    return tuple((name, taxonomy.parents.get(name, fallback)) for name, fallback in COCO_LABELS)

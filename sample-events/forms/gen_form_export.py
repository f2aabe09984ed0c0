#!/usr/bin/python3
"""Write sample-events/forms/atelier-cem-2.form-export.csv.

The same invented attendees as atelier-cem-2.registrations.csv, as a French
online form tool exports them: a timestamp column ("Horodateur"), the
questions' long texts as headers, the answers' wording ("Je cherche une place
dans une voiture"), ticked workshops joined with ", " by their titles (which
hold commas themselves), a free-text column nobody imports, ',' separator, no
BOM. atelier-cem-2.form-map.json says what it all means:

    planner registrations import atelier-cem-2 \\
        sample-events/forms/atelier-cem-2.form-export.csv \\
        --map sample-events/forms/atelier-cem-2.form-map.json --dry-run

Deterministic: same script, same bytes.
"""

import csv
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "atelier-cem-2.registrations.csv")
OUT = os.path.join(HERE, "atelier-cem-2.form-export.csv")

TITLES = {
    "atelier-pdie": "Animer un plan de mobilité inter-entreprises (PDIE)",
    "atelier-covoiturage": "Plateformes de covoiturage, porter ou s'appuyer sur les opérateurs ?",
    "atelier-flottes": "Carburants alternatifs, flottes et autopartage",
}
TRAVEL = {
    "conducteur": "Je viens en voiture et je propose des places",
    "passager": "Je cherche une place dans une voiture",
    "flexible": "J'ai une voiture mais je peux aussi être passager·e",
    "aucun": "Je viens autrement (train, vélo…)",
    "": "Je viens autrement (train, vélo…)",
}
MEAL = {"oui": "Oui, je déjeune sur place", "non": "Non merci", "": "Non merci"}
PUBLIC = {
    "oui": "J'accepte que mon nom et ma structure figurent sur la liste publique des participants",
    "non": "Je refuse",
    "": "Je refuse",
}
HEADERS = [
    "Horodateur", "Adresse e-mail", "Nom et prénom", "Structure / organisme",
    "Commune de départ (ou code postal)", "Comment venez-vous à l'atelier ?",
    "Si vous conduisez : combien de places proposez-vous ?", "Déjeunerez-vous avec nous ?",
    "Régime alimentaire ou allergies", "Liste publique des participants",
    "À quel atelier de fin de matinée souhaitez-vous participer ?", "Une question, une remarque ?",
]


def main():
    random.seed(2026)
    with open(SOURCE, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    head, rows = rows[0], rows[1:]
    with open(OUT, "w", encoding="utf-8", newline="") as out:
        w = csv.writer(out)
        w.writerow(HEADERS)
        for i, r in enumerate(rows):
            d = dict(zip(head, r))
            stamp = f"2026/11/{1 + i // 6:02d} {8 + i % 10}:{(i * 7) % 60:02d}:{(i * 13) % 60:02d} UTC+1"
            sessions = ", ".join(TITLES[s] for s in d["Sessions"].split("|") if s in TITLES)
            w.writerow([stamp, d["Courriel"], d["Nom"], d["Structure"], d["Commune"],
                        TRAVEL[d["Mode"].lower()], d["Places"], MEAL[d["Repas"].lower()],
                        d["Régime"], PUBLIC[d["Liste publique"].lower()], sessions,
                        random.choice(["", "", "", "Merci pour l'organisation !",
                                       "Je serai un peu en retard."])])
    print(f"{OUT}: {len(rows)} rows")


if __name__ == "__main__":
    main()

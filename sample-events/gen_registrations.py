#!/usr/bin/python3
"""Write sample-events/atelier-cem-2.registrations.csv.

Every attendee below is invented (names, e-mails at example.* domains,
organisations kept generic). The file is written the way a French form tool
exports it: UTF-8 with a BOM, ';' separator, CRLF line endings, French
headers, oui/non values. A few fields need quoting (a ';' or '"' inside an
organisation name) so that importers are exercised on them.

The output is deterministic: same script, same bytes. Run it with Debian's
interpreter from anywhere:

    /usr/bin/python3 sample-events/gen_registrations.py

It checks its own rows against atelier-cem-2.json (session ids, session and
event capacities) and prints a short tally.
"""

import csv
import json
import os
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
EVENT = os.path.join(HERE, "atelier-cem-2.json")
OUT = os.path.join(HERE, "atelier-cem-2.registrations.csv")

HEADERS = ["Nom", "Courriel", "Structure", "Commune", "Mode", "Places",
           "Repas", "Régime", "Liste publique", "Sessions"]

DOMAINS = ["example.org", "example.fr", "example.com", "example.net"]

BET = "Mobilité & Territoires; bureau d'études"   # ';' inside: must be quoted
ASSO = 'Association "Cycl\'Avenir"'               # '"' inside: must be quoted

# (name, organisation, origin as typed, mode, seats, meal, diet, public,
#  sessions, e-mail or None to derive it from the name)
ROWS = [
    # Drivers: Île-de-France edges and the surrounding regions.
    ("Céline Vasseur", "Métropole — direction des mobilités", "45000 Orléans",
     "conducteur", 3, "oui", "végétarien", "oui", "atelier-covoiturage", None),
    ("Jean-Baptiste Le Goff", "CCI — pôle entreprises", "Chartres",
     "conducteur", 3, "oui", "", "oui", "atelier-pdie", None),
    ("Sandrine Poulain", "Agglomération — service transports", "Dreux (28)",
     "conducteur", 2, "oui", "", "oui", "", None),
    ("Olivier Marchetti", "Syndicat mixte de transport", "76000 Rouen",
     "conducteur", 4, "oui", "", "oui", "", None),
    ("Hélène Dufresne", "Agence d'urbanisme", "Amiens (80)",
     "conducteur", 3, "oui", "sans gluten", "non", "", None),
    ("Franck Delorme", "Conseil départemental — mission mobilité", "Beauvais 60000",
     "conducteur", 2, "oui", "", "oui", "atelier-flottes", None),
    ("Aurélie D'Almeida", "Maison de la mobilité", "Reims",
     "conducteur", 3, "oui", "végétarien", "oui", "", None),
    ("Bruno Lacaze", "Entreprise de transport routier", "Troyes 10000",
     "conducteur", 2, "non", "", "oui", "", None),
    ("Nathalie Giraud-Perrin", "Communauté de communes", "Sens (89)",
     "conducteur", 3, "oui", "", "oui", "", None),
    ("Yannick Roux", "CCI — conseil aux entreprises", "Évreux",
     "conducteur", 2, "oui", "", "non", "atelier-pdie", None),
    ("Marion Lecoq", "Parc naturel régional", "Rambouillet (78)",
     "conducteur", 3, "oui", "vegan", "oui", "", None),
    ("Karine Lemaire", "Centre hospitalier — services logistiques", "Meaux",
     "conducteur", 2, "oui", "", "oui", "atelier-flottes", None),
    ("Thierry Vannier", "Pôle d'équilibre territorial et rural", "Château-Thierry",
     "conducteur", 3, "oui", "", "oui", "", None),
    ("Sophie Nguyen", "Région — direction des transports", "59000 Lille",
     "conducteur", 3, "oui", "végétarien", "oui", "", None),
    ("Rachid Benali", "Entreprise industrielle — service RSE", "Creil",
     "conducteur", 2, "oui", "halal", "oui", "atelier-pdie", None),
    ("Isabelle Caron", BET, "Fontainebleau (77)",
     "conducteur", 1, "oui", "", "non", "", None),
    ("Guillaume Petitjean", "Communauté d'agglomération", "Mantes-la-Jolie",
     "conducteur", 3, "oui", "", "oui", "atelier-covoiturage", None),

    # Flexible: can drive or ride, the planner decides.
    ("Claire Besnard", "Agglomération — pôle mobilité", "Compiègne",
     "flexible", 3, "oui", "", "oui", "", None),
    ("Mathilde Rivière", "Entreprise de services — ressources humaines", "78000 Versailles",
     "flexible", 2, "oui", "végétarien", "oui", "atelier-pdie", None),
    ("Laurent Moreau", "Conseil départemental", "Étampes",
     "flexible", 3, "oui", "", "oui", "", None),
    ("Vincent Aubert", "Métropole — plan de mobilité", "Tours",
     "flexible", 3, "non", "", "oui", "", None),
    ("Émilie Faure", "Communauté de communes", "Provins",
     "flexible", 2, "oui", "sans gluten", "oui", "", None),
    ("Damien Laurent", "Agence locale de l'énergie et du climat", "Cergy",
     "flexible", 3, "oui", "", "non", "atelier-covoiturage", None),

    # Passengers: along the drivers' ways in, plus a few with no driver near.
    ("Maëlle Quéré", "Agglomération — service déplacements", "Rennes (35)",
     "passager", None, "oui", "végétarien", "oui", "", None),
    ("Lucas Fontaine", "CCI — pôle entreprises", "45400 Fleury-les-Aubrais",
     "passager", None, "oui", "", "oui", "", None),
    ("Julie Marchand", "Conseil départemental", "Maintenon",
     "passager", None, "oui", "", "oui", "", "Julie.Marchand@Example.org"),
    ("Antoine Lebrun", "Entreprise de travaux publics", "Arras",
     "passager", None, "oui", "", "oui", "", None),
    ("Samia Haddad", "Métropole — direction mobilité", "Lens 62300",
     "passager", None, "oui", "halal", "oui", "", None),
    ("Pauline Mercier", "Syndicat mixte de transport", "Vernon (27)",
     "passager", None, "oui", "", "oui", "", None),
    ("Nicolas Barbier", "Agglomération", "Senlis",
     "passager", None, "oui", "", "oui", "", None),
    ("Camille Texier", "Association de covoiturage solidaire", "Paris 15e",
     "passager", None, "oui", "vegan", "oui", "atelier-covoiturage|forum-ouvert", None),
    ("Hugo Lemoine", "Bureau d'études déplacements", "75011 Paris",
     "passager", None, "oui", "", "non", "", None),
    ("Sarah Benoît", "Agglomération — service mobilité", "Évry-Courcouronnes",
     "passager", None, "oui", "", "oui", "", None),
    ("Romain Gilbert", "Entreprise publique de transport", "Saint-Denis 93",
     "passager", None, "oui", "", "oui", "", None),
    ("Patricia Hoarau", "Collectivité — mission mobilité", "Saint-Denis",
     "passager", None, "oui", "", "non", "", None),
    ("Élise Carpentier", "CCI — conseil aux entreprises", "Soissons",
     "passager", None, "oui", "", "oui", "", None),
    ("Mehdi Ouali", "Entreprise de location de véhicules", "Créteil 94000",
     "passager", None, "oui", "halal", "oui", "atelier-flottes", None),
    ("Anne-Sophie Perret", "Communauté de communes", "Nemours",
     "passager", None, "oui", "", "oui", "", None),
    ("Benoît Charpentier", "Conseil départemental", "Tinqueux (51)",
     "passager", None, "oui", "végétarien", "oui", "", None),
    ("Léa Morin", "Agglomération", "Argenteuil",
     "passager", None, "non", "", "oui", "", None),
    ("Kévin Dubois", "Entreprise de logistique", "Gonesse",
     "passager", None, "oui", "", "non", "", None),
    ("Christine Renard", "Parc naturel régional", "Dourdan",
     "passager", None, "oui", "", "oui", "", None),
    ("François Dupré-Lasalle", BET, "Melun, 77",
     "passager", None, "oui", "", "oui", "", None),
    ("Stéphane Kowalski", ASSO, "Montereau-Fault-Yonne",
     "passager", None, "oui", "végétarien", "oui", "", None),
    ("Aïcha Diallo", "Centre communal d'action sociale", "Chartes",  # typo, sic
     "passager", None, "oui", "halal", "non", "", None),
    ("Thomas Lefèvre", "Métropole — service des déplacements", "Boulogne-Billancourt 92100",
     "passager", None, "oui", "", "oui", "", None),
    ("Manon Girard", "Université — plan de mobilité", "Nanterre",
     "passager", None, "oui", "vegan", "oui", "atelier-covoiturage", None),
    ("Jérôme Masson", "Agglomération — transports urbains", "Auxerre",
     "passager", None, "oui", "", "oui", "", None),
    ("Océane Bertrand", "Entreprise agroalimentaire", "Clermont (60)",
     "passager", None, "oui", "", "oui", "", None),

    # No carpool: train from far away, or métro in Paris.
    ("Marie-Claire Fabre", "Métropole — délégation mobilités", "Lyon",
     "aucun", None, "oui", "végétarien", "oui", "atelier-pdie|forum-ouvert", None),
    ("Yves Le Bihan", "Agglomération", "Nantes",
     "aucun", None, "oui", "", "oui", "", None),
    ("Charlotte Dumas", "Région — service intermodalité", "33000 Bordeaux",
     "aucun", None, "non", "", "oui", "", None),
    ("Paul Rey", "Métropole", "31000",
     "aucun", None, "oui", "", "oui", "", None),
    ("Justine Moulin", "Eurométropole — mission mobilité", "Strasbourg",
     "aucun", None, "oui", "sans gluten", "oui", "", None),
    ("Alexandre Picard", "Ville — service mobilité", "Paris 20e",
     "aucun", None, "oui", "", "oui", "atelier-flottes", None),
    ("Sylvie Collin", "Entreprise de conseil", "75012 Paris",
     "aucun", None, "oui", "", "non", "", None),
    ("Mathis Brun", "Association d'usagers des transports", "Grenoble (38)",
     "aucun", None, "non", "", "oui", "", None),
    ("Nadège Perrot", "Agglomération", "Le Mans",
     "aucun", None, "oui", "halal", "oui", "", None),
]


def email_for(name, index):
    ascii_name = unicodedata.normalize("NFKD", name)
    ascii_name = "".join(c for c in ascii_name if not unicodedata.combining(c))
    parts = ascii_name.lower().replace("'", "").split()
    local = ".".join(p.replace(" ", "") for p in parts)
    return "%s@%s" % (local, DOMAINS[index % len(DOMAINS)])


def check(rows):
    with open(EVENT, encoding="utf-8") as f:
        event = json.load(f)
    sessions = {s["id"]: s for s in event["sessions"]}
    emails = set()
    taken = {}
    assert len(rows) <= event["capacity"], "more rows than the event capacity"
    for i, r in enumerate(rows):
        name, _org, _origin, mode, seats, meal, diet, public, chosen, email = r
        assert mode in ("conducteur", "passager", "flexible", "aucun"), name
        if mode in ("conducteur", "flexible"):
            assert isinstance(seats, int) and 1 <= seats <= 4, name
        else:
            assert seats is None, name
        assert meal in ("oui", "non") and public in ("oui", "non"), name
        assert meal == "oui" or diet == "", name
        key = (email or email_for(name, i)).lower()
        assert key not in emails, "duplicate e-mail " + key
        emails.add(key)
        for sid in filter(None, chosen.split("|")):
            assert sid in sessions, "unknown session " + sid
            taken[sid] = taken.get(sid, 0) + 1
    for sid, n in taken.items():
        cap = sessions[sid].get("capacity")
        assert cap is None or n <= cap, "session %s over capacity" % sid
    return taken


def main():
    taken = check(ROWS)
    with open(OUT, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\r\n",
                       quoting=csv.QUOTE_MINIMAL)
        w.writerow(HEADERS)
        for i, r in enumerate(ROWS):
            name, org, origin, mode, seats, meal, diet, public, chosen, email = r
            w.writerow([name, email or email_for(name, i), org, origin, mode,
                        "" if seats is None else str(seats), meal, diet,
                        public, chosen])
    modes = {}
    for r in ROWS:
        modes[r[3]] = modes.get(r[3], 0) + 1
    declined = sum(1 for r in ROWS if r[7] == "non")
    print("%s: %d rows; %s; %d decline the public list; sessions %s"
          % (os.path.relpath(OUT), len(ROWS),
             ", ".join("%s %d" % kv for kv in sorted(modes.items())),
             declined, ", ".join("%s %d" % kv for kv in sorted(taken.items()))),
          file=sys.stderr)


if __name__ == "__main__":
    main()

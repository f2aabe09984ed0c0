#!/usr/bin/python3
"""Regenerate tests/data/bad-registrations/: one bad registrations file per
case (for the event sample-events/atelier-cem-2.json), and beside it
CASE.expect: one line per problem the import must report, each the text that
follows FILE in "FILE:LINE: column: what is wrong" (a prefix of it is
enough). The import must report exactly that many problems and import
nothing."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "bad-registrations")

FR = "Nom;Courriel;Structure;Commune;Mode;Places;Repas;Régime;Liste publique;Sessions"
GOOD = "Céline Vasseur;celine.vasseur@example.org;Métropole;45000 Orléans;conducteur;3;oui;végétarien;oui;atelier-covoiturage"
GOOD2 = "Camille Texier;camille.texier@example.com;Association;Paris 15e;passager;;oui;vegan;oui;atelier-covoiturage|forum-ouvert"


def case(name, text, *expect, crlf=False):
    if isinstance(text, str):
        if crlf:
            text = text.replace("\n", "\r\n")
        data = text.encode("utf-8")
    else:
        data = text
    with open(os.path.join(OUT, name + ".csv"), "wb") as f:
        f.write(data)
    with open(os.path.join(OUT, name + ".expect"), "w") as f:
        f.write("".join(line + "\n" for line in expect))


def rows(*lines, header=FR):
    return header + "\n" + "".join(line + "\n" for line in lines)


os.makedirs(OUT, exist_ok=True)
for f in os.listdir(OUT):
    os.remove(os.path.join(OUT, f))

case("missing-name", rows(GOOD, ";ana@example.org;;Nantes;aucun;;non;;non;"),
     ":3: name: empty")
case("missing-email", rows(GOOD, "Ana Silva;;;Nantes;aucun;;non;;non;"),
     ":3: email: empty")
case("invalid-email", rows("Marie Dupont;marie.dupont@;;Paris;aucun;;non;;non;", GOOD),
     ':2: email: "marie.dupont@" is not an e-mail address')
case("email-with-space", rows("Marie Dupont;marie dupont@example.org;;Paris;aucun;;non;;non;"),
     ':2: email: "marie dupont@example.org" is not an e-mail address')
case("seats-not-a-number", rows(GOOD, "Luc Bernard;luc@example.org;;Lyon;conducteur;deux;oui;;oui;"),
     ':3: seats: "deux" is not a positive number (required for conducteur)')
case("seats-zero", rows("Luc Bernard;luc@example.org;;Lyon;flexible;0;oui;;oui;"),
     ':2: seats: "0" is not a positive number (required for flexible)')
case("seats-missing", rows("Luc Bernard;luc@example.org;;Lyon;conducteur;;oui;;oui;"),
     ":2: seats: empty (a number of free seats is required for conducteur)")
case("seats-too-many", rows("Luc Bernard;luc@example.org;;Lyon;conducteur;12;oui;;oui;"),
     ":2: seats: 12 is more than 8 free seats")
case("unknown-travel", rows(GOOD, GOOD2, "Luc Bernard;luc@example.org;;Lyon;voiture;2;oui;;oui;"),
     ':4: travel: unknown value "voiture"')
case("unknown-session", rows(GOOD, "Luc Bernard;luc@example.org;;Lyon;aucun;;oui;;oui;atelier-velo"),
     ':3: sessions: unknown session "atelier-velo"')
case("unknown-sessions-two", rows("Luc Bernard;luc@example.org;;Lyon;aucun;;oui;;oui;atelier-pdie|velo|marche"),
     ':2: sessions: unknown session "velo"', ':2: sessions: unknown session "marche"')
case("bad-meal", rows("Luc Bernard;luc@example.org;;Lyon;aucun;;peut-être;;oui;"),
     ':2: meal: "peut-être" is not yes/no (oui/non)')
case("bad-public", rows("Luc Bernard;luc@example.org;;Lyon;aucun;;oui;;maybe;"),
     ':2: public: "maybe" is not yes/no (oui/non)')
case("ride-without-origin", rows("Luc Bernard;luc@example.org;;;passager;;oui;;oui;"),
     ":2: origin: empty (needed to carpool as ride)")
case("too-many-fields", rows(GOOD, "Luc Bernard;luc@example.org;;Lyon;aucun;;oui;;oui;;Paris"),
     ":3: column 11: a value beyond the header's 10 columns")
case("unknown-header", "Nom;Courriel;Horodateur\nAna;ana@example.org;2026-01-01\n",
     ':1: header: unknown column "Horodateur"')
case("duplicate-column", "Nom;Courriel;E-mail\nAna;ana@example.org;ana@example.org\n",
     ":1: header: column email given twice")
case("no-email-column", "Nom;Structure\nAna;ADEME\n",
     ":1: header: no email column")
case("no-name-column", "email\nana@example.org\n",
     ":1: header: no name column")
case("empty-file", "", ":1: empty file")
case("only-bom", b"\xef\xbb\xbf", ":1: empty file")
case("not-text", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", ":1: not UTF-8 text (a binary file")
case("not-text-nul", b"GIF89a\x01\x00\x01\x00\x80\x00\x00", ":1: NUL byte: this is not a text (CSV) file")
case("nul-in-row", rows(GOOD).encode() + b"Ana\x00;ana@example.org\n", ":3: NUL byte")
case("latin1", rows(GOOD).encode() + "Hélène;helene@example.org\n".encode("latin-1"),
     ":3: not UTF-8 text")
case("unterminated-quote", rows(GOOD, 'Luc Bernard;luc@example.org;"Association ;Lyon;aucun;;oui;;oui;', GOOD2),
     ":3: quote opened on line 3 is never closed")
# Every bad row is reported, not only the first; line numbers count the lines
# of a quoted field that spans several (row 3 takes lines 3-5).
case("many-bad-rows",
     rows(GOOD,
          'Ana Silva;ana@example.org;"Association\nVélo\nRennes";Rennes;passager;;oui;;oui;',
          "Luc Bernard;luc@;;Lyon;conducteur;deux;oui;;oui;",
          GOOD2,
          ";;;;;;;;;",
          ";x@example.org;;Lille;aucun;;non;;non;atelier-velo",
          "Zoé Martin;zoe@example.org;;Lille;bus;;non;;peut-être;"),
     ':6: email: "luc@" is not an e-mail address',
     ':6: seats: "deux" is not a positive number',
     ":9: name: empty",
     ':9: sessions: unknown session "atelier-velo"',
     ':10: travel: unknown value "bus"',
     ':10: public: "peut-être" is not yes/no',
     crlf=True)
case("english-bad", "email,name,travel,seats,origin,public\n"
                    "ana.silva@example.org,Ana Silva,drive,2,\"Nantes, 44000\",yes\n"
                    "b.ferreira@example.org,Bruno Ferreira,ride,,,no\n"
                    "c@example.org,,drive,x,Lyon,yes\n",
     ":3: origin: empty (needed to carpool as ride)",
     ":4: name: empty",
     ':4: seats: "x" is not a positive number (required for drive)')
# The less travelled shapes of a row (issue 11): a signed number of seats,
# yes/no values that fold to nothing or are too long, a bad share-phone
# answer, a name column given twice, a value under a blank header; and a
# file whose good rows take a first-name column, no-break spaces and tabs
# around values and empty pieces in sessions (they must raise no problem).
case("seats-signed", rows("Luc Bernard;luc@example.org;;Lyon;conducteur;+3;oui;;oui;"),
     ':2: seats: "+3" is not a positive number (required for conducteur)')
case("yes-no-odd", rows("Luc Bernard;luc@example.org;;Lyon;aucun;;-;;oui;",
                        "Ana Silva;ana@example.org;;Lyon;aucun;;oui;;oui oui oui oui oui oui;"),
     ':2: meal: "-" is not yes/no (oui/non)',
     ':3: public: "oui oui oui oui oui oui" is not yes/no (oui/non)')
case("share-phone-bad", rows("Luc Bernard;luc@example.org;;Lyon;aucun;;oui;;oui;;06 12 34 56 78;parfois",
                             header=FR + ";Téléphone;Partage téléphone"),
     ':2: share phone: "parfois" is not yes/no (oui/non)')
case("name-twice", "Nom;Courriel;Nom complet\nAna;ana@example.org;Ana Silva\n",
     ":1: header: column name given twice")
case("value-without-header", "Nom;Courriel; ;Commune\nAna;ana@example.org;x;Lyon\n",
     ":2: column 3: a value in a column without a header")
case("first-name-and-spaces",
     rows("\u00a0Céline\u00a0;Vasseur;\tceline@example.org ;\u00a0Métropole;45000 Orléans\u00a0;"
          "\u00a0conducteur;\t3\u00a0; oui ;;\u00a0oui\u00a0; atelier-covoiturage | | forum-ouvert |",
          "Ana;Silva;ana@;;Nantes;aucun;;non;;non;",
          header="Prénom;" + FR),
     ':3: email: "ana@" is not an e-mail address')

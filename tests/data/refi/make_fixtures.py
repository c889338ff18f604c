# ruff: noqa: E501  (the XML below is kept as exporters write it, one element a line)
"""Writes the hand-made REFI-QDA exports in this folder (run from the repository root).

Each folder imitates what one real program writes, quirk by quirk, as documented in the REFI-QDA
1.5 specification, QualCoder's importer and exporter, and the notes in ../shared/refi-qda/
README.md (see README.md here). Offsets are computed here the way that program counts them, so
the importer's reading of each convention is tested against an independent computation.

    python tests/data/refi/make_fixtures.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent

INTERVIEW = (
    "INTERVIEWER: How do referrals reach you now?\r\n"
    "\r\n"
    "OFFICER: Mostly by phone. The case manager picks up at night, which is new.\r\n"
    "\r\n"
    "OFFICER: Before that the person just waited in the car for an hour.\r\n"
    "\r\n"
    "INTERVIEWER: And the paperwork?\r\n"
    "\r\n"
    "OFFICER: Still a mess. Nobody reads the consent form the same way.\r\n"
)
PEER = (
    "FACILITATOR: Tell me about the drop-in center.\n"
    "\n"
    "PEER: People come because we don't ask for ID. \U0001F64F That's the whole trick.\n"
    "\n"
    "PEER: The waitlist for housing is still eight months, and café vouchers don't fix that.\n"
)


def units(text: str, *, crlf_as_one: bool = False, utf16: bool = False) -> callable:
    """Offset of a substring as a program with this convention counts it."""

    def at(needle: str) -> tuple[int, int, str]:
        start = text.index(needle)
        before, quote = text[:start], needle
        if crlf_as_one:
            before, quote = before.replace("\r\n", "\n"), quote.replace("\r\n", "\n")
        if utf16:
            width = lambda s: len(s.encode("utf-16-le")) // 2  # noqa: E731
            return width(before), width(before) + width(quote), needle
        return len(before), len(before) + len(quote), needle

    return at


def atlas() -> None:
    """ATLAS.ti 26 (Windows): '<Project name>.qde', upper-case GUIDs, CRLF text whose line
    ends count as one character, quotations named by their first words and '...'."""
    folder = HERE / "atlas_style"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "sources").mkdir(parents=True)
    (folder / "sources" / "6B1A3C59-0D7E-4C1F-9E62-3F0A9B8E7D21.txt").write_bytes(
        INTERVIEW.encode("utf-8")
    )
    at = units(INTERVIEW, crlf_as_one=True)
    phone = at("Mostly by phone. The case manager picks up at night, which is new.")
    waited = at("Before that the person just waited in the car for an hour.")
    mess = at("Still a mess. Nobody reads the consent form the same way.")
    user = "AD68FBE7-E1EE-4A82-A279-23CC698C89EB"
    sel = lambda g, span, code, extra="": (  # noqa: E731
        f'      <PlainTextSelection guid="{g}" name="{span[2][:28]}..." '
        f'startPosition="{span[0]}" endPosition="{span[1]}" creatingUser="{user}" '
        f'creationDateTime="2025-03-27T19:11:47Z">\n'
        f'        <Coding guid="{g[:-4]}C0DE" creatingUser="{user}" '
        f'creationDateTime="2025-03-27T19:11:47Z"><CodeRef targetGUID="{code}"/></Coding>\n'
        f"{extra}      </PlainTextSelection>\n"
    )
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="LEAD pilot" origin="ATLAS.ti 26.0.0 (Windows)" creatingUserGUID="{user}" creationDateTime="2025-03-27T17:46:39Z">
  <Users>
    <User guid="{user}" name="Maria Lopez"/>
  </Users>
  <CodeBook>
    <Codes>
      <Code guid="AE6D04CE-D987-4FC8-AF97-D72CA6FFD08F" name="Warm handoff" isCodable="true" color="#2CA02C">
        <Description>Officer hands the person directly to a case manager.</Description>
      </Code>
      <Code guid="1F2E3D4C-5B6A-4978-8695-A4B3C2D1E0F9" name="Implementation barriers" isCodable="true" color="#D62728">
        <Code guid="0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D" name="Paperwork" isCodable="true" color="#FF9896"/>
      </Code>
    </Codes>
  </CodeBook>
  <Sources>
    <TextSource guid="6B1A3C59-0D7E-4C1F-9E62-3F0A9B8E7D21" name="Patrol officer interview" plainTextPath="internal://6B1A3C59-0D7E-4C1F-9E62-3F0A9B8E7D21.txt" creatingUser="{user}" creationDateTime="2025-03-27T18:01:07Z">
{sel("95916796-D0A0-4B49-80B0-5A5C8B94AE13", phone, "AE6D04CE-D987-4FC8-AF97-D72CA6FFD08F",
     '        <NoteRef targetGUID="4691A8A0-D67C-4DCC-91D6-E9075DC230CC"/>' + chr(10))}{sel("95916796-D0A0-4B49-80B0-5A5C8B94AE14", waited, "1F2E3D4C-5B6A-4978-8695-A4B3C2D1E0F9")}{sel("95916796-D0A0-4B49-80B0-5A5C8B94AE15", mess, "0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D")}    </TextSource>
    <PDFSource guid="142EB46D-612E-4593-A385-D0E5D04D1288" name="Program manual.pdf" path="internal://142EB46D-612E-4593-A385-D0E5D04D1288.pdf">
      <PDFSelection guid="142EB46D-612E-4593-A385-D0E5D04D1289" page="0" firstX="10" firstY="20" secondX="200" secondY="40">
        <Coding guid="142EB46D-612E-4593-A385-D0E5D04D128A"><CodeRef targetGUID="AE6D04CE-D987-4FC8-AF97-D72CA6FFD08F"/></Coding>
      </PDFSelection>
    </PDFSource>
  </Sources>
  <Notes>
    <Note guid="4691A8A0-D67C-4DCC-91D6-E9075DC230CC" name="Night coverage" creatingUser="{user}" creationDateTime="2025-03-28T08:00:58Z">
      <PlainTextContent>Night pick-up is the change every officer mentions.</PlainTextContent>
    </Note>
  </Notes>
</Project>
"""
    (folder / "LEAD pilot.qde").write_text(xml, encoding="utf-8")
    (folder / "sources" / "142EB46D-612E-4593-A385-D0E5D04D1288.pdf").write_bytes(
        b"%PDF-1.4\n% a stand-in: qualkit lists PDF sources as skipped and never reads them\n"
    )


def nvivo() -> None:
    """NVivo (Windows): 'Project.qde' and 'Sources/' as in the spec's Annex A.2, the text file
    named by the source's own GUID, CRLF counted as two characters, selections without names,
    a memo as a Note linked to its passage by a Link, cases with variables, an audio source,
    and a GUID reused by a code and a selection (as Annex A.2 reuses one)."""
    folder = HERE / "nvivo_style"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "Sources").mkdir(parents=True)
    source = "8e7fddfe-db36-48dc-b464-80c3a4decd90"
    (folder / "Sources" / f"{source}.txt").write_bytes(INTERVIEW.encode("utf-8"))
    (folder / "Sources" / "0f758eeb-d61d-4e91-b250-79861c3869a6.txt").write_bytes(
        b"Ask the sergeant whether night pick-up is in the written protocol.\r\n"
    )
    at = units(INTERVIEW)
    phone = at("Mostly by phone. The case manager picks up at night, which is new.")
    mess = at("Still a mess. Nobody reads the consent form the same way.")
    shared = "2dfba8c9-59f5-4424-99d6-ea9bce18134b"  # a code's GUID, reused by a selection
    user = "5c94bc9e-db8c-4f1d-9cd6-e900c7440860"
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="LEAD NVivo" origin="NVivo 14.23.0" creatingUserGUID="{user}" creationDateTime="2025-06-07T03:36:36Z">
  <Users><User guid="{user}" name="Ben Okafor" id="BO"/></Users>
  <CodeBook><Codes>
    <Code guid="{shared}" name="Warm handoff" isCodable="true"/>
    <Code guid="76414714-63c4-4a25-a47e-66fef80bd52e" name="Paperwork" isCodable="true"/>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="c1a5e7f0-0000-4000-8000-000000000001" name="Site" typeOfVariable="Text"/>
    <Variable guid="c1a5e7f0-0000-4000-8000-000000000002" name="Years of service" typeOfVariable="Integer"/>
  </Variables>
  <Cases>
    <Case guid="c1a5e7f0-0000-4000-8000-0000000000c1" name="Officer 7">
      <VariableValue><VariableRef targetGUID="c1a5e7f0-0000-4000-8000-000000000001"/><TextValue>Eastside precinct</TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="c1a5e7f0-0000-4000-8000-000000000002"/><IntegerValue>12</IntegerValue></VariableValue>
      <SourceRef targetGUID="{source}"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="{source}" name="Officer 7 interview.docx" richTextPath="internal://{source}.docx" plainTextPath="internal://{source}.txt" creatingUser="{user}" creationDateTime="2025-06-07T03:36:36Z">
      <PlainTextSelection guid="{shared}" name="" startPosition="{phone[0]}" endPosition="{phone[1]}" creatingUser="{user}" creationDateTime="2025-06-07T03:40:00Z">
        <Coding guid="08cbced0-d736-44c8-8fd6-eb4d29fe46c5" creatingUser="{user}" creationDateTime="2025-06-07T03:40:00Z"><CodeRef targetGUID="{shared}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="d61907b2-d0d4-48dc-b8b7-5e4f7ae5faa6" name="" startPosition="{mess[0]}" endPosition="{mess[1]}" creatingUser="{user}" creationDateTime="2025-06-07T03:41:00Z">
        <Coding guid="08cbced0-d736-44c8-8fd6-eb4d29fe46c6" creatingUser="{user}" creationDateTime="2025-06-07T03:41:00Z"><CodeRef targetGUID="76414714-63c4-4a25-a47e-66fef80bd52e"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <AudioSource guid="a1b2c3d4-0000-4000-8000-0000000000a1" name="Focus group.m4a" path="relative:///Focus group.m4a">
      <AudioSelection guid="a1b2c3d4-0000-4000-8000-0000000000a2" begin="115" end="1100">
        <Coding guid="a1b2c3d4-0000-4000-8000-0000000000a3"><CodeRef targetGUID="{shared}"/></Coding>
      </AudioSelection>
    </AudioSource>
  </Sources>
  <Notes>
    <Note guid="0f758eeb-d61d-4e91-b250-79861c3869a6" name="Annotation" plainTextPath="internal://0f758eeb-d61d-4e91-b250-79861c3869a6.txt" creatingUser="{user}" creationDateTime="2025-06-08T10:00:00Z" modifyingUser="{user}" modifiedDateTime="2025-06-09T10:00:00Z"/>
  </Notes>
  <Links>
    <Link guid="7f0fa382-05fe-4c93-b0f7-182a4c2eb7b1" name="annotation" direction="OneWay" originGUID="0f758eeb-d61d-4e91-b250-79861c3869a6" targetGUID="{shared}"/>
  </Links>
</Project>
"""
    (folder / "Project.qde").write_text(xml, encoding="utf-8")
    (folder / "Sources" / f"{source}.docx").write_bytes(b"PK stand-in for the rich text")


def qualcoder() -> None:
    """QualCoder 3.x: 'project.qde', 'sources/', source files written with a UTF-8 BOM that
    positions do not count, selection names holding the whole coded text, a coding memo as the
    selection's Description, variables on the source, a category that is not codable, and one
    selection past the end of its text (a damaged export)."""
    folder = HERE / "qualcoder_style"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "sources").mkdir(parents=True)
    source = "56a79789-d535-4fb8-bedd-a915504c54ba"
    (folder / "sources" / f"{source}.txt").write_bytes(b"\xef\xbb\xbf" + PEER.encode("utf-8"))
    at = units(PEER)
    trick = at("People come because we don't ask for ID. \U0001F64F That's the whole trick.")
    wait = at("The waitlist for housing is still eight months, and café vouchers don't fix that.")
    user = "df241da2-bca0-4ad9-83c1-b89c98d83567"
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Peer outreach" origin="QualCoder 3.6" creatingUserGUID="{user}" creationDateTime="2025-01-15T23:37:54Z">
<Users>
<User guid="{user}" name="cruz"/>
</Users>
<CodeBook>
<Codes>
<Code guid="3f2c1a10-7d4e-4b8a-9c21-0e5f6a7b8c90" name="Access" isCodable="false">
<Description>Category: how people get to services.</Description>
<Code guid="4d62f0cc-182f-44b8-a043-339c90779e9e" name="Low threshold" isCodable="true" color="#9467BD">
<Description>No ID, no appointment, no conditions.

Include: mentions of walking in without documents.</Description>
</Code>
</Code>
<Code guid="4d62f0cc-182f-44b8-a043-339c90779e9f" name="Housing" isCodable="true" color="#8C564B"/>
</Codes>
</CodeBook>
<Variables>
<Variable guid="aa000000-0000-4000-8000-000000000001" name="kind" typeOfVariable="Text"/>
<Variable guid="aa000000-0000-4000-8000-000000000002" name="speakers" typeOfVariable="Text"/>
</Variables>
<Sources>
<TextSource guid="{source}" name="int_outreach_peer.txt" plainTextPath="internal://{source}.txt" creatingUser="{user}" creationDateTime="2025-01-15T23:37:54Z">
<PlainTextSelection guid="fd960901-8191-4db1-a3dd-a91626d56c4b" name="{trick[2]}" startPosition="{trick[0]}" endPosition="{trick[1]}" creatingUser="{user}" creationDateTime="2025-01-16T09:00:00Z">
<Description>The ID rule is what the peers are proud of.</Description>
<Coding guid="aa960901-8191-4db1-a3dd-a91626d56c4b" creatingUser="{user}"><CodeRef targetGUID="4d62f0cc-182f-44b8-a043-339c90779e9e"/></Coding>
</PlainTextSelection>
<PlainTextSelection guid="fd960901-8191-4db1-a3dd-a91626d56c4c" name="{wait[2]}" startPosition="{wait[0]}" endPosition="{wait[1]}" creatingUser="{user}" creationDateTime="2025-01-16T09:05:00Z">
<Coding guid="aa960901-8191-4db1-a3dd-a91626d56c4c" creatingUser="{user}"><CodeRef targetGUID="4d62f0cc-182f-44b8-a043-339c90779e9f"/></Coding>
</PlainTextSelection>
<PlainTextSelection guid="fd960901-8191-4db1-a3dd-a91626d56c4d" name="" startPosition="{len(PEER) + 5}" endPosition="{len(PEER) + 40}" creatingUser="{user}" creationDateTime="2025-01-16T09:06:00Z">
<Coding guid="aa960901-8191-4db1-a3dd-a91626d56c4d" creatingUser="{user}"><CodeRef targetGUID="4d62f0cc-182f-44b8-a043-339c90779e9f"/></Coding>
</PlainTextSelection>
<VariableValue><VariableRef targetGUID="aa000000-0000-4000-8000-000000000001"/><TextValue>interview</TextValue></VariableValue>
<VariableValue><VariableRef targetGUID="aa000000-0000-4000-8000-000000000002"/><TextValue>FACILITATOR=facilitator; PEER=peer outreach worker</TextValue></VariableValue>
</TextSource>
</Sources>
</Project>
"""
    (folder / "project.qde").write_text(xml, encoding="utf-8")


def codebooks() -> None:
    """An ATLAS.ti codebook in its older namespace, and a MAXQDA-style one whose sub-codes
    share names under different parents."""
    (HERE / "atlas_codebook.qdc").write_text("""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:0:4" origin="ATLAS.ti 23.2.1">
  <Codes>
    <Code guid="AE6D04CE-D987-4FC8-AF97-D72CA6FFD08F" name="Warm handoff" isCodable="true" color="#2CA02C">
      <Description>Officer hands the person directly to a case manager.</Description>
    </Code>
    <Code guid="1F2E3D4C-5B6A-4978-8695-A4B3C2D1E0F9" name="Implementation barriers" isCodable="true">
      <Code guid="0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D" name="Paperwork" isCodable="true" color="#FF9896"/>
    </Code>
  </Codes>
</CodeBook>
""", encoding="utf-8")
    (HERE / "maxqda_codebook.qdc").write_text("""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1:0" origin="MAXQDA 2024">
  <Codes>
    <Code guid="{C0000000-0000-4000-8000-000000000001}" name="Police" isCodable="true">
      <Code guid="{C0000000-0000-4000-8000-000000000002}" name="Positive" isCodable="true"/>
      <Code guid="{C0000000-0000-4000-8000-000000000003}" name="Negative" isCodable="true"/>
    </Code>
    <Code guid="{C0000000-0000-4000-8000-000000000004}" name="Case management" isCodable="true">
      <Code guid="{C0000000-0000-4000-8000-000000000005}" name="Positive" isCodable="true"/>
      <Code guid="{C0000000-0000-4000-8000-000000000006}" name="Negative" isCodable="true"/>
    </Code>
  </Codes>
</CodeBook>
""", encoding="utf-8")


if __name__ == "__main__":
    atlas()
    nvivo()
    qualcoder()
    codebooks()

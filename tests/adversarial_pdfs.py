"""The adversarial corpus: one fictional civil servant's name hidden in every place a PDF can hold it.

Each builder writes one PDF to a given path and returns it. Every file has a title and a control
sentence (CONTROL) on each page that must survive redaction; the name is either in a header field the
detector finds ("Opgesteld door: ..."), visible on the page (the anchor), or planted on its own where a
header-like line makes it detectable by itself (hidden page text). All files are generated here with
PyMuPDF and pikepdf.
"""
from __future__ import annotations

import base64
from pathlib import Path

import pikepdf
import pymupdf
from pikepdf import Array, Dictionary, Name, String

NAME = "Jolien Verbeek-Hartsuiker"
NAME_PARTS = ("Jolien", "Verbeek", "Hartsuiker")  # none of them may survive anywhere, in any case
EMAIL = "jolien.verbeek-hartsuiker@minbzk.nl"
HEADER = f"Opgesteld door: {NAME}"
TITLE = "Nota over de inzet van tolken"
CONTROL = "De werkgroep komt in maart opnieuw bijeen."
XMP = f"""<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:creator><rdf:Seq><rdf:li>{NAME}</rdf:li></rdf:Seq></dc:creator>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"""
HELVETICA = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica, Encoding=Name.WinAnsiEncoding)


def base(anchor: bool = True, pages: int = 1) -> pymupdf.Document:
    """A nota: title, the header field with the name (if `anchor`) and the control sentence per page."""
    doc = pymupdf.open()
    for number in range(pages):
        page = doc.new_page(width=595, height=842)
        page.insert_text((72, 72), TITLE if number == 0 else f"{TITLE} (vervolg)", fontname="helv", fontsize=14)
        if anchor and number == 0:
            page.insert_text((72, 110), HEADER, fontname="helv", fontsize=11)
        page.insert_text((72, 400), CONTROL, fontname="helv", fontsize=11)
    return doc


def _save(doc: pymupdf.Document, path: Path) -> Path:
    doc.save(path)
    doc.close()
    return path


def _with_pikepdf(path: Path, change) -> Path:
    """Open `path` with pikepdf, let `change(pdf)` alter it, save it in place."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        change(pdf)
        pdf.save(path)
    return path


def _page_ops(pdf: pikepdf.Pdf, page: int, ops: str, **resources) -> None:
    """Append a content stream to a page; Helvetica is /FA, `resources` go into /Resources."""
    obj = pdf.pages[page].obj
    res = obj.Resources
    if "/Font" not in res:
        res.Font = Dictionary()
    res.Font.FA = HELVETICA
    for key, value in resources.items():
        if f"/{key}" not in res:
            res[f"/{key}"] = Dictionary()
        for k, v in value.items():
            res[f"/{key}"][f"/{k}"] = v
    pdf.pages[page].contents_add(pdf.make_stream(ops.encode("latin-1")))


def _text_ops(path: Path, ops: str) -> Path:
    return _with_pikepdf(path, lambda pdf: _page_ops(pdf, 0, ops))


# -- page content -----------------------------------------------------------------------------------


def visible_text(path):
    return _save(base(), path)


def white_text(path):
    return _text_ops(_save(base(anchor=False), path), f"q 1 1 1 rg BT /FA 11 Tf 72 700 Td ({HEADER}) Tj ET Q")


def tiny_text(path):
    return _text_ops(_save(base(anchor=False), path), f"q BT /FA 1 Tf 72 700 Td ({HEADER}) Tj ET Q")


def invisible_text(path):
    return _text_ops(_save(base(anchor=False), path), f"q BT 3 Tr /FA 11 Tf 72 700 Td ({HEADER}) Tj ET Q")


def off_the_page(path):
    """Drawn to the right of the page, where no reader shows it: still in the file and its text."""
    return _text_ops(_save(base(anchor=False), path), f"q BT /FA 11 Tf 640 500 Td ({HEADER}) Tj ET Q")


def outside_the_crop_box(path):
    """On the media box but below the crop box, the part of the page a reader shows."""
    def change(pdf):
        pdf.pages[0].obj.CropBox = Array([0, 300, 595, 842])
        _page_ops(pdf, 0, f"q BT /FA 11 Tf 72 100 Td ({HEADER}) Tj ET Q")

    return _with_pikepdf(_save(base(anchor=False), path), change)


def jpeg_exif(path):
    """In the EXIF and the comment of a photo on the page (the name is in the header too)."""
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 48, 32), False)
    pix.clear_with(180)
    data = pix.tobytes("jpeg")
    exif = b"Exif\0\0MM\0*\0\0\0\x08Artist: " + NAME.encode()
    comment = b"Foto: " + NAME.encode()
    segments = b"".join(bytes([0xFF, m]) + (len(b) + 2).to_bytes(2, "big") + b for m, b in ((0xE1, exif), (0xFE, comment)))
    doc = base()
    doc[0].insert_image(pymupdf.Rect(72, 500, 216, 596), stream=data[:2] + segments + data[2:])
    return _save(doc, path)


def jpeg2000_xml(path):
    """In an XML box (XMP) of a JPEG 2000 picture on the page (the name is in the header too)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (48, 32), (90, 140, 200)).save(out, format="JPEG2000")
    data = out.getvalue()
    xml = f"<dc:creator>{NAME}</dc:creator>".encode()
    at = data.index(b"jp2c") - 4
    doc = base()
    doc[0].insert_image(pymupdf.Rect(72, 500, 216, 596),
                        stream=data[:at] + (len(xml) + 8).to_bytes(4, "big") + b"xml " + xml + data[at:])
    return _save(doc, path)


def xobject_private_data(path):
    """In an application's private data (/PieceInfo) of a form XObject drawn on the page: a logo made in
    Illustrator keeps its whole drawing there."""
    def change(pdf):
        private = pdf.make_stream(f"%AI private data: Auteur {NAME}".encode())
        logo = pdf.make_stream(b"q 0 0 1 rg 0 0 20 20 re f Q", Type=Name.XObject, Subtype=Name.Form,
                               BBox=Array([0, 0, 20, 20]),
                               PieceInfo=Dictionary(Illustrator=Dictionary(Private=private)))
        _page_ops(pdf, 0, "q 1 0 0 1 500 780 cm /Logo Do Q", XObject={"Logo": logo})

    return _with_pikepdf(_save(base(), path), change)


def hidden_layer(path):
    def change(pdf):
        ocg = pdf.make_indirect(Dictionary(Type=Name.OCG, Name=String("Concept")))
        pdf.Root.OCProperties = Dictionary(OCGs=Array([ocg]), D=Dictionary(OFF=Array([ocg])))
        _page_ops(pdf, 0, f"/OC /oc1 BDC q BT /FA 11 Tf 72 700 Td ({HEADER}) Tj ET Q EMC", Properties={"oc1": ocg})

    return _with_pikepdf(_save(base(anchor=False), path), change)


def form_xobject(path):
    """One Form XObject holding the header, drawn on both pages."""
    def change(pdf):
        form = pdf.make_stream(f"BT /FA 11 Tf 0 0 Td ({HEADER}) Tj ET".encode(), Type=Name.XObject,
                               Subtype=Name.Form, BBox=Array([0, -5, 400, 15]),
                               Resources=Dictionary(Font=Dictionary(FA=HELVETICA)))
        for page in (0, 1):
            _page_ops(pdf, page, "q 1 0 0 1 72 700 cm /Fx1 Do Q", XObject={"Fx1": form})

    return _with_pikepdf(_save(base(anchor=False, pages=2), path), change)


def actual_text(path):
    """Glyphs that show nothing personal, marked with /ActualText that names the author."""
    return _text_ops(_save(base(anchor=False), path),
                     f"/Span <</ActualText ({HEADER})>> BDC q BT /FA 11 Tf 72 700 Td "
                     "(Opgesteld door: zie bijlage) Tj ET Q EMC")


def kerned_tj(path):
    """The name as a TJ array with a kerning adjustment between every two letters."""
    letters = " ".join(f"({c}) -12" for c in NAME)
    return _text_ops(_save(base(anchor=False), path),
                     f"q BT /FA 11 Tf 72 700 Td (Opgesteld door: ) Tj [{letters}] TJ ET Q")


def letter_per_tj(path):
    """The name drawn one letter at a time, each with its own Td and Tj."""
    font = pymupdf.Font("helv")
    x, ops = 72 + font.text_length("Opgesteld door: ", 11), []
    for char in NAME:
        ops.append(f"BT /FA 11 Tf {x:.2f} 700 Td ({char}) Tj ET")
        x += font.text_length(char, 11)
    return _text_ops(_save(base(anchor=False), path),
                     "q BT /FA 11 Tf 72 700 Td (Opgesteld door: ) Tj ET " + " ".join(ops) + " Q")


def hyphenated(path):
    doc = base()
    page = doc[0]
    page.insert_text((72, 260), "Vragen over dit advies kunt u stellen aan Jolien Verbeek-", fontname="helv", fontsize=11)
    page.insert_text((72, 274), "Hartsuiker, of aan het secretariaat.", fontname="helv", fontsize=11)
    return _save(doc, path)


def font_subset(path):
    """The name in its own embedded TrueType font, subset to the name's glyphs only."""
    doc = base(anchor=False)
    page = doc[0]
    page.insert_text((72, 110), "Opgesteld door:", fontname="helv", fontsize=11)
    page.insert_font(fontname="F0", fontbuffer=pymupdf.Font("cjk").buffer)
    page.insert_text((160, 110), NAME, fontname="F0", fontsize=11)
    doc.subset_fonts()
    return _save(doc, path)


def _turned(degrees: int, x: float, y: float) -> str:
    import math

    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return f"{c:.5f} {s:.5f} {-s:.5f} {c:.5f} {x} {y} cm"


def rotated_sheet(path):
    """A landscape page drawn upright on a portrait sheet turned by /Rotate 90: in PDF space the header
    runs up the sheet."""
    doc = base(anchor=False)
    doc[0].set_rotation(90)
    return _text_ops(_save(doc, path), f"q {_turned(90, 595, 0)} BT /FA 11 Tf 72 500 Td ({HEADER}) Tj ET Q")


def inherited_rotation(path):
    """The same, with /Rotate 270 inherited from the page tree."""
    def change(pdf):
        pdf.Root.Pages.Rotate = 270
        _page_ops(pdf, 0, f"q {_turned(-90, 0, 842)} BT /FA 11 Tf 72 500 Td ({HEADER}) Tj ET Q")

    return _with_pikepdf(_save(base(anchor=False), path), change)


def vertical_text(path):
    return _text_ops(_save(base(anchor=False), path), f"q {_turned(90, 500, 150)} BT /FA 11 Tf 0 0 Td ({HEADER}) Tj ET Q")


def slanted_text(path):
    return _text_ops(_save(base(anchor=False), path), f"q {_turned(30, 72, 200)} BT /FA 11 Tf 0 0 Td ({HEADER}) Tj ET Q")


def form_matrix(path):
    """In a Form XObject whose /Matrix turns it a quarter."""
    def change(pdf):
        form = pdf.make_stream(f"BT /FA 11 Tf 0 0 Td ({HEADER}) Tj ET".encode(), Type=Name.XObject, Subtype=Name.Form,
                               BBox=Array([0, -5, 400, 15]), Matrix=Array([0, 1, -1, 0, 0, 0]),
                               Resources=Dictionary(Font=Dictionary(FA=HELVETICA)))
        _page_ops(pdf, 0, "q 1 0 0 1 520 150 cm /Fx1 Do Q", XObject={"Fx1": form})

    return _with_pikepdf(_save(base(anchor=False), path), change)


def user_unit(path):
    """/UserUnit 2: one unit is two points, page space twice PDF space."""
    def change(pdf):
        pdf.pages[0].obj.UserUnit = 2

    return _with_pikepdf(_save(base(), path), change)


def shifted_boxes(path):
    """Media box and crop box away from the origin, the page drawn in the shifted space."""
    def change(pdf):
        page = pdf.pages[0]
        page.obj.MediaBox = Array([100, 200, 695, 1042])
        page.obj.CropBox = Array([110, 210, 685, 1032])
        page.contents_add(pdf.make_stream(b"q 1 0 0 1 100 200 cm"), prepend=True)
        _page_ops(pdf, 0, f"Q q BT /FA 11 Tf 172 932 Td ({HEADER}) Tj ET Q")

    return _with_pikepdf(_save(base(anchor=False), path), change)


def black_image_over_text(path):
    """A black picture pasted over a user name that is still in the text layer (lower case, in no
    header: only the picture says it must go)."""
    doc = base(anchor=False)
    page = doc[0]
    page.insert_text((72, 110), f"Account: {NAME.lower()} (beheerder)", fontname="helv", fontsize=11)
    name = page.search_for(NAME.lower())[0]
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 16, 4), False)
    pix.clear_with(0)
    page.insert_image(name + (-1, -1, 1, 1), pixmap=pix, keep_proportion=False)
    return _save(doc, path)


def redaction_mark(path):
    """A redaction annotation over a user name on page 2, drawn and never applied (lower case, in no
    header: only the mark says it must go)."""
    doc = base(anchor=False, pages=2)
    page = doc[1]
    page.insert_text((72, 110), f"Account: {NAME.lower()} (beheerder)", fontname="helv", fontsize=11)
    page.add_redact_annot(page.search_for(NAME.lower())[0])
    return _save(doc, path)


def with_deleted_object(doc, path):
    """Save `doc` to `path` with an object that is a plain number, then append an incremental update
    that deletes an object and counts one more than it lists: pikepdf gives None and plain numbers
    among the file's objects."""
    import re

    gone = doc.get_new_xref()
    doc.update_object(gone, "<</Kind/Concept>>")
    number = doc.get_new_xref()
    doc.update_object(number, "42")
    doc.xref_set_key(doc.pdf_catalog(), "PieceCount", f"{number} 0 R")
    _save(doc, path)
    data = path.read_bytes()
    previous = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    root = re.findall(rb"/Root (\d+) 0 R", data)[-1].decode()
    update = (f"\nxref\n0 1\n0000000000 65535 f \n{gone} 1\n0000000000 00001 f \n"
              f"trailer\n<</Size {number + 2}/Root {root} 0 R/Prev {previous}>>\n").encode()
    path.write_bytes(data + update + f"startxref\n{len(data) + 1}\n%%EOF\n".encode())
    return path


def deleted_object(path):
    """An incremental update that deleted an object (see `with_deleted_object`)."""
    return with_deleted_object(base(), path)


# -- beside the page content ----------------------------------------------------------------------


def struct_alt(path):
    def change(pdf):
        figure = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Figure, Pg=pdf.pages[0].obj,
                                              Alt=String(f"Portretfoto van {NAME}")))
        pdf.Root.StructTreeRoot = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot, K=Array([figure])))
        pdf.Root.MarkInfo = Dictionary(Marked=True)

    return _with_pikepdf(_save(base(), path), change)


def struct_alt_only(path):
    """Only in a figure's alternative text (no header names her): a screen reader reads it out."""
    def change(pdf):
        figure = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Figure, Pg=pdf.pages[0].obj,
                                              Alt=String(f"Foto: beleidsmedewerker {NAME} bij de opening")))
        part = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Sect, K=Array([figure])))
        pdf.Root.StructTreeRoot = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot, K=part))
        pdf.Root.MarkInfo = Dictionary(Marked=True)

    return _with_pikepdf(_save(base(anchor=False), path), change)


def info_standard(path):
    doc = base()
    doc.set_metadata({"author": NAME, "title": f"Nota van {NAME}", "subject": NAME})
    return _save(doc, path)


def info_custom(path):
    def change(pdf):
        pdf.docinfo["/Behandelaar"] = String(NAME)

    return _with_pikepdf(_save(base(), path), change)


def xmp(path):
    doc = base()
    doc.set_xml_metadata(XMP)
    return _save(doc, path)


def incremental_revision(path):
    """Revision 1 names the author; an incremental update replaces the page content without it."""
    _save(base(), path)
    doc = pymupdf.open(path)
    page = doc[0]
    page.add_redact_annot(page.search_for(HEADER)[0])  # the editor removed the line in the new revision
    page.apply_redactions()
    page.insert_text((72, 110), "Opgesteld door: directie Migratiebeleid", fontname="helv", fontsize=11)
    doc.saveIncr()
    doc.close()
    return path


def annot_title(path):
    doc = base()
    annot = doc[0].add_text_annot((400, 72), "Akkoord")
    annot.set_info(title=NAME)
    annot.update()
    return _save(doc, path)


def annot_contents(path):
    doc = base()
    doc[0].add_text_annot((400, 72), f"Graag afstemmen met {NAME}").update()
    return _save(doc, path)


def annot_popup(path):
    def change(pdf):
        page = pdf.pages[0].obj
        note = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Text, Rect=Array([400, 700, 420, 720]),
                                            Contents=String("Zie opmerking")))
        popup = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Popup, Rect=Array([420, 600, 560, 700]),
                                             Parent=note, Contents=String(f"Vraag van {NAME}"), T=String(NAME)))
        note.Popup = popup
        page.Annots = Array([note, popup])

    return _with_pikepdf(_save(base(), path), change)


def annot_reply(path):
    def change(pdf):
        page = pdf.pages[0].obj
        note = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Text, Rect=Array([400, 700, 420, 720]),
                                            Contents=String("Klopt dit bedrag?"), T=String("Controller")))
        reply = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Text, Rect=Array([400, 700, 420, 720]),
                                             IRT=note, RT=Name.R, T=String(NAME),
                                             Contents=String(f"Ja, akkoord. {NAME}")))
        page.Annots = Array([note, reply])

    return _with_pikepdf(_save(base(), path), change)


def freetext_appearance(path):
    doc = base()
    doc[0].add_freetext_annot(pymupdf.Rect(300, 300, 550, 340), f"Vraag van {NAME}", fontsize=10)
    return _save(doc, path)


def _text_field(doc: pymupdf.Document, name: str, value: str) -> None:
    widget = pymupdf.Widget()
    widget.field_type = pymupdf.PDF_WIDGET_TYPE_TEXT
    widget.field_name = name
    widget.field_value = value
    widget.rect = pymupdf.Rect(72, 500, 300, 520)
    doc[0].add_widget(widget)


def form_value(path):
    doc = base()
    _text_field(doc, "behandelaar", NAME)
    return _save(doc, path)


def form_appearance(path):
    """The value was cleared, but the widget's appearance stream still draws the name."""
    def change(pdf):
        widget = pdf.pages[0].obj.Annots[0]
        widget.V = String("")
        stream = pdf.make_stream(f"/Tx BMC BT /FA 11 Tf 2 5 Td ({NAME}) Tj ET EMC".encode(), Type=Name.XObject,
                                 Subtype=Name.Form, BBox=Array([0, 0, 228, 20]),
                                 Resources=Dictionary(Font=Dictionary(FA=HELVETICA)))
        widget.AP = Dictionary(N=stream)

    doc = base()
    _text_field(doc, "behandelaar", "")
    return _with_pikepdf(_save(doc, path), change)


def form_parent_value(path):
    """A parent field holds the value; its kid is the widget on the page."""
    def change(pdf):
        widget = pdf.pages[0].obj.Annots[0]
        parent = pdf.make_indirect(Dictionary(FT=Name.Tx, T=String("opsteller"), V=String(NAME), Kids=Array([widget])))
        for key in ("/T", "/V", "/FT"):
            if key in widget:
                del widget[key]
        widget.Parent = parent
        pdf.Root.AcroForm.Fields = Array([parent])

    doc = base()
    _text_field(doc, "tijdelijk", "")
    return _with_pikepdf(_save(doc, path), change)


def link_mailto(path):
    doc = base()
    doc[0].insert_text((72, 300), "Mail de opsteller", fontname="helv", fontsize=11)
    doc[0].insert_link({"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(72, 288, 180, 302), "uri": f"mailto:{EMAIL}"})
    return _save(doc, path)


def embedded_file(path):
    doc = base()
    doc.embfile_add(f"Notities {NAME}.txt", f"Notities van {NAME}\n".encode(), filename=f"Notities {NAME}.txt",
                    desc=f"Aantekeningen van {NAME}")
    return _save(doc, path)


def file_attachment_annot(path):
    doc = base()
    annot = doc[0].add_file_annot((500, 72), f"Concept van {NAME}\n".encode(), f"{NAME}.txt",
                                  desc=f"Bijlage van {NAME}")
    annot.update()
    return _save(doc, path)


def outline_title(path):
    doc = base()
    doc.set_toc([[1, "Inleiding", 1], [1, f"Reactie {NAME}", 1]])
    return _save(doc, path)


def page_label(path):
    doc = base()
    doc.set_page_labels([{"startpage": 0, "prefix": f"{NAME}-", "style": "D"}])
    return _save(doc, path)


def javascript_names(path):
    def change(pdf):
        js = pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=String(f"app.alert('Opgesteld door {NAME}');")))
        pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("welkom"), js])))

    return _with_pikepdf(_save(base(), path), change)


def javascript_openaction(path):
    def change(pdf):
        source = base64.b64encode(f"console.println('{NAME}');".encode()).decode()
        code = pdf.make_stream(f"eval(atob('{source}')); // {NAME}".encode())
        pdf.Root.OpenAction = pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=code))

    return _with_pikepdf(_save(base(), path), change)


BUILDERS = {f.__name__: f for f in (
    visible_text, white_text, tiny_text, invisible_text, off_the_page, outside_the_crop_box, jpeg_exif,
    jpeg2000_xml, xobject_private_data, hidden_layer, form_xobject, actual_text, kerned_tj, letter_per_tj, hyphenated, font_subset,
    rotated_sheet, inherited_rotation, vertical_text, slanted_text, form_matrix, user_unit, shifted_boxes,
    black_image_over_text, redaction_mark, deleted_object,
    struct_alt, struct_alt_only, info_standard, info_custom, xmp, incremental_revision, annot_title, annot_contents, annot_popup,
    annot_reply, freetext_appearance, form_value, form_appearance, form_parent_value, link_mailto,
    embedded_file, file_attachment_annot, outline_title, page_label, javascript_names, javascript_openaction,
)}

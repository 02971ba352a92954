"""Generate the binary seed documents (.docx and .pdf) deterministically.

Writes, next to this script:
  lumenfold_remote_work_policy.docx  (python-docx, fixed core-property dates
                                      and fixed zip member timestamps)
  tomato_growing_guide.pdf           (tiny hand-written PDF 1.4 writer,
                                      Helvetica Type1, no timestamps)

Usage: python seeds/make_binary_seeds.py
Running it twice produces byte-identical files.
"""

from __future__ import annotations

import datetime as _dt
import io
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

# --------------------------------------------------------------------------
# Document texts.  Each block is (kind, text) where kind is one of
# "title", "heading", "para", "bullet" (docx) or "title", "heading",
# "para", "pagebreak" (pdf).
# --------------------------------------------------------------------------

REMOTE_WORK_POLICY = [
    ("title", "Lumenfold Analytics Remote Work Policy"),
    ("para", "This policy applies to all permanent employees of Lumenfold Analytics."),
    ("para", "The policy takes effect on 1 February 2025."),
    ("para", "The owner of this policy is Marisol Quenby, Head of People Operations."),
    ("heading", "Eligibility and working pattern"),
    ("para", "Employees may work remotely for up to three days per week."),
    ("para", "New employees must work from the office for their first four weeks."),
    ("para", "Every team meets in the office on Tuesday for its weekly team day."),
    ("para", "Core collaboration hours run from 10:00 to 15:00 local office time."),
    ("para", "Outside core hours, employees may arrange their working time freely."),
    ("heading", "Equipment and allowances"),
    ("para", "The company provides every remote worker with a laptop and one external monitor."),
    ("para", "Each employee receives a one-off home office allowance of 450 euros."),
    ("para", "Remote workers also receive an internet allowance of 35 euros per month."),
    ("para", "Requests for extra equipment are handled by the People Operations team."),
    ("heading", "Security rules"),
    ("para", "The following rules apply whenever company data is accessed from outside the office."),
    ("bullet", "The company VPN must be switched on at all times."),
    ("bullet", "Public Wi-Fi networks may only be used through the VPN."),
    ("bullet", "Screens must be locked whenever the laptop is left unattended."),
    ("heading", "Working from abroad"),
    ("para", "Employees may work from another country for up to 20 working days per calendar year."),
    ("para", "Work from abroad must be approved in writing by the line manager at least two weeks in advance."),
    ("para", "The headquarters of Lumenfold Analytics is in the city of Ardenwick."),
    ("heading", "Review"),
    ("para", "This policy will be reviewed every 12 months."),
    ("para", "Questions about the policy should be sent to the People Operations team."),
]

TOMATO_GUIDE = [
    ("title", "A Practical Guide to Growing Tomatoes"),
    ("heading", "Starting from seed"),
    ("para", "Tomatoes are warm-season plants that are easily damaged by frost. "
             "Seeds are usually sown indoors six to eight weeks before the last expected frost. "
             "Tomato seeds germinate best when the soil temperature is between 21 and 27 degrees Celsius. "
             "Seedlings need strong light, or they become tall and weak. "
             "A sunny windowsill or a simple grow light is enough for most home gardeners."),
    ("heading", "Choosing a variety"),
    ("para", "Determinate varieties stop growing at a fixed height and ripen their fruit over a short period. "
             "Indeterminate varieties keep growing and producing fruit until the first frost. "
             "Cherry tomatoes are usually the easiest type for beginners to grow. "
             "Beefsteak tomatoes produce large fruit but need a long, warm season."),
    ("heading", "Planting out"),
    ("para", "Young plants should be hardened off outdoors for about a week before planting. "
             "Plants can be moved outside once night temperatures stay above 10 degrees Celsius. "
             "Tomatoes need at least six to eight hours of direct sunlight each day. "
             "Space the plants 45 to 60 centimetres apart in the row. "
             "Tomato stems can be buried deeply because they grow roots along the buried part."),
    ("pagebreak", ""),
    ("heading", "Watering and feeding"),
    ("para", "Tomatoes need about 2.5 centimetres of water per week during the growing season. "
             "Watering deeply and regularly is better than watering a little every day. "
             "Uneven watering can lead to blossom end rot, a dark patch at the base of the fruit. "
             "A layer of mulch helps the soil to hold moisture evenly. "
             "A fertiliser rich in potassium encourages flowering and fruiting."),
    ("heading", "Pruning and support"),
    ("para", "Indeterminate plants should be tied to a stake or a cage as they grow. "
             "Many gardeners remove the side shoots, called suckers, that grow between the main stem and the leaves. "
             "Determinate plants need little or no pruning. "
             "Tomato flowers are self-pollinating (each flower has both male and female parts), so a single plant can set fruit."),
    ("heading", "Harvest and storage"),
    ("para", "Fruit is ready to pick when it is fully coloured and slightly soft to the touch. "
             "Green fruit picked at the end of the season will often ripen indoors at room temperature. "
             "Ripe tomatoes keep their flavour best when they are stored outside the refrigerator. "
             "To reduce disease, tomatoes should not be grown in the same bed more than once every three years."),
]


# --------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------

FIXED_DT = _dt.datetime(2025, 1, 1, 0, 0, 0)
ZIP_DT = (1980, 1, 1, 0, 0, 0)


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed member timestamps and attributes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=ZIP_DT)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 0
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def make_docx(path: Path) -> None:
    import docx  # python-docx

    doc = docx.Document()
    cp = doc.core_properties
    cp.title = "Lumenfold Analytics Remote Work Policy"
    cp.author = "qa project (fictional sample document)"
    cp.last_modified_by = "qa project"
    cp.created = FIXED_DT
    cp.modified = FIXED_DT
    cp.last_printed = FIXED_DT
    cp.revision = 1
    for kind, text in REMOTE_WORK_POLICY:
        if kind == "title":
            doc.add_heading(text, level=0)
        elif kind == "heading":
            doc.add_heading(text, level=1)
        elif kind == "bullet":
            doc.add_paragraph(text, style="List Bullet")
        else:
            doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    path.write_bytes(_normalise_zip(buf.getvalue()))


# --------------------------------------------------------------------------
# Minimal PDF writer
# --------------------------------------------------------------------------

# Helvetica advance widths (1/1000 em) for ASCII 32..126, from the standard AFM.
_HELV = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,  # ' '..'/'
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,  # '0'..'?'
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,  # '@'..'O'
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,  # 'P'..'_'
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,  # '`'..'o'
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,       # 'p'..'~'
]


def text_width(s: str, size: float) -> float:
    return sum(_HELV[ord(c) - 32] if 32 <= ord(c) <= 126 else 556 for c in s) * size / 1000.0


def wrap(text: str, size: float, max_width: float) -> list[str]:
    lines: list[str] = []
    cur = ""
    for word in text.split():
        cand = word if not cur else cur + " " + word
        if text_width(cand, size) <= max_width or not cur:
            cur = cand
        else:
            lines.append(cur)
            cur = word
    if cur:
        lines.append(cur)
    return lines


def pdf_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


PAGE_W, PAGE_H = 612, 792  # US Letter, points
MARGIN = 72
BODY_SIZE = 11
LEADING = 15


def layout(blocks) -> list[list[tuple[float, float, float, str]]]:
    """Return pages; each page is a list of (x, y, size, text) lines."""
    pages: list[list[tuple[float, float, float, str]]] = [[]]
    y = PAGE_H - MARGIN
    max_w = PAGE_W - 2 * MARGIN

    def new_page():
        nonlocal y
        pages.append([])
        y = PAGE_H - MARGIN

    for kind, text in blocks:
        if kind == "pagebreak":
            new_page()
            continue
        size = {"title": 18, "heading": 13}.get(kind, BODY_SIZE)
        lead = size + 4
        space_before = {"title": 0, "heading": 10}.get(kind, 2)
        lines = wrap(text, size, max_w)
        if y - space_before - lead * len(lines) < MARGIN:
            new_page()
            space_before = 0
        y -= space_before
        for line in lines:
            y -= lead
            pages[-1].append((MARGIN, y, size, line))
        y -= 4
    return pages


def make_pdf(path: Path, blocks, title: str) -> None:
    pages = layout(blocks)
    objs: list[bytes] = []  # object i+1 is objs[i]

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    catalog = add(b"")  # placeholder, filled below
    pages_obj = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    page_ids = []
    for lines in pages:
        ops = []
        for x, y, size, text in lines:
            ops.append(f"BT /F1 {size} Tf {x:.2f} {y:.2f} Td ({pdf_escape(text)}) Tj ET")
        stream = ("\n".join(ops) + "\n").encode("latin-1")
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream")
        page_ids.append(add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
            % (pages_obj, PAGE_W, PAGE_H, font, content)))
    objs[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj
    kids = b" ".join(b"%d 0 R" % p for p in page_ids)
    objs[pages_obj - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids))
    info = add(b"<< /Title (%s) /Producer (qa make_binary_seeds.py) >>"
               % pdf_escape(title).encode("latin-1"))

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n" % (len(objs) + 1)
    out += b"0000000000 65535 f \n"
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += (b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objs) + 1, catalog, info, xref_at))
    path.write_bytes(bytes(out))


def main() -> None:
    make_docx(HERE / "lumenfold_remote_work_policy.docx")
    make_pdf(HERE / "tomato_growing_guide.pdf", TOMATO_GUIDE, "A Practical Guide to Growing Tomatoes")
    print("wrote", HERE / "lumenfold_remote_work_policy.docx")
    print("wrote", HERE / "tomato_growing_guide.pdf")


if __name__ == "__main__":
    main()

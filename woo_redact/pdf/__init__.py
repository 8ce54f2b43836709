"""Everything that reads or writes a PDF: reading text and OCR (`read`, `ocr`), the preview with its
proposals (`mark`), burning boxes in (`burn`, `glyphs`, `edges`, `pdfops`), sanitising (`sanitise`),
verifying (`verify`), and the three together as one step (`finalise`); `noise` catches the libraries'
messages about a damaged file."""

"""Students' answer sheets read: numbers as people write them, in CSV, TOML, JSON or text.

A sheet maps quantity names (as written) to answers. Reading never fails on a bad sheet: what
cannot be read becomes a problem on the `Submission` (the file) or on the `Answer` (one value),
so one broken file never stops grading a class, and the report can say what was read.

Formats (chosen by the file's suffix):
- CSV `quantity,value` as `backviz template` writes it (`#` comment lines, optional header,
  a `student,<id>` row); delimiter `,`, `;` or tab. Quoted "0,5", and any comma under `;` or
  tab, is a decimal comma.
- wide CSV: a header with a student column (`student`, `student_id`, `학번`, `id`) and one
  column per quantity, one student per row, as exported from a form or an LMS.
- TOML: `student = "s01"` and an `[answers]` table or top-level `"dE/dW5" = 0.0259` entries.
- JSON: `{"student": "s01", "answers": {...}}` or a flat object.
- text: `name = value`, `name: value` or `name,value` lines.
Files are UTF-8 (with or without BOM) or CP949 (Korean Excel); larger than `MAX_BYTES` are not
read.

Modules: `numbers` (the number grammar and a column read at once), `files` (a file's bytes,
read with care, and its encoding), `submission` (what a sheet gives, and how its entries are
collected), `csv_sheets`, `toml_json_sheets`, `text_sheets` (the readers), `folders` (which
files are sheets) and `reading` (a file by its suffix; many files and folders).
"""

"""Excel import of households: upload → staging rows → validation → preview → commit.

- **Upload** (`batch_submit` from a request, `stage_file` without one). The file is checked quickly first
  (size, .xlsx, headers, not empty); a bad file creates nothing. The same file (SHA-256) under the same
  branch leads back to its existing batch, so a committed file is never imported twice.
- **Staging** (`load_rows`). Every non-blank row becomes an `ImportRow` holding the values as typed (ID and
  phone encrypted, like on Person), its household key, and the verdict of the checks that need only the row
  itself: required fields, ID checksum and date (15-digit IDs are upgraded), value lists, lengths.
- **Validation** (`validate_batch`). The checks that need other rows or the database, set-based: village
  codes in one query, IDs already registered by blind index in one `id_index__in` query per chunk,
  duplicates inside the file and household heads by grouping in Python. A household with any bad row is
  held back whole, so that the error workbook carries the whole household to fix and upload again.
- **Commit** (`commit_batch`). Households in ranges of `household_seq`; each range is one transaction
  that bulk-creates households and persons, links head, spouse and children like a household entered by
  hand, writes the new parents' family facts with them (`family.facts_at_insert`: the households are
  whole and new, so every child of every parent is in the range), marks its staging rows and moves the
  checkpoint. A resumed
  commit starts after the checkpoint; people registered meanwhile are refused by the ID blind index.

The uploaded file itself is not kept once its rows are staged (encrypted): see `jobs.import_validate`.

Split along those steps: `common` (vocabulary, village checks, holding back a household), `staging`,
`validation`, `commit`, and `reads` (scoped batch reads and the error workbook). Import from here.
"""

from guanhuai.registry.imports.commit import already_committed_message, commit_batch, commit_submit
from guanhuai.registry.imports.common import (
    HUKOU_BY_TEXT,
    IMPORT_COMMIT,
    IMPORT_VALIDATE,
    RELATION_BY_TEXT,
    YES_NO,
)
from guanhuai.registry.imports.reads import (
    batch_get,
    batch_list,
    import_targets,
    invalid_rows,
)
from guanhuai.registry.imports.staging import (
    batch_create,
    batch_submit,
    discard_upload,
    load_rows,
    marking_failure,
    stage_file,
)
from guanhuai.registry.imports.validation import validate_batch

__all__ = [
    "HUKOU_BY_TEXT",
    "IMPORT_COMMIT",
    "IMPORT_VALIDATE",
    "RELATION_BY_TEXT",
    "YES_NO",
    "already_committed_message",
    "batch_create",
    "batch_get",
    "batch_list",
    "batch_submit",
    "commit_batch",
    "commit_submit",
    "discard_upload",
    "import_targets",
    "invalid_rows",
    "load_rows",
    "marking_failure",
    "stage_file",
    "validate_batch",
]

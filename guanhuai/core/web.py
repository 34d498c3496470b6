"""The interface kit for server-rendered views: the one place that turns a service's `DomainError` into
what a person sees. Views stay thin: they call a service inside `form_errors` or `message_errors` and
let a `NotFound` or `PermissionDenied` travel up to `DomainErrorMiddleware`.

- `form_errors(form, code="field", …)`: a refusal shows on the form, beside its field when the error's
  code names one, and the page renders again with what was typed.
- `message_errors(request)`: a refusal of a button (no form) becomes a flash message; the view then
  redirects as it would have on success.
- `form_action(request, form, act, title=…, back=…)`: the whole view of a form that does one thing: the
  service call in `form_errors` (a refusal beside the field its code names), the success message and the
  redirect, or the form page.
- `refusal()`: a refusal is kept in `.error` (and `.message`) for a page that shows it in a place of its
  own: an editor's error box, an htmx fragment, one line of a pasted list.
- Inside these blocks every refusal is shown where the person is, a `NotFound` too: there it is an ID or
  code they typed, and its message is the neutral "not found, or not yours". The object a view is about
  is fetched before the block, through a selector; its `NotFound` leaves the view and
  `DomainErrorMiddleware` makes it the same 404 as an unknown URL.

The REST API has its own translation of the same errors (`guanhuai.core.api`); the CLI turns them into a
`CommandError`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from types import TracebackType
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from guanhuai.core.errors import DomainError, NotFound, PermissionDenied
from guanhuai.core.excel import XLSX, content_disposition

__all__ = [
    "PAGE_SIZES",
    "DomainErrorMiddleware",
    "form_errors",
    "form_page",
    "message_errors",
    "page_of",
    "post_data",
    "private_file",
    "qr_code",
    "refusal",
    "xlsx_download",
]


def post_data(request: HttpRequest) -> Any:
    """POST data for a bound form, even when empty (an empty POST must still show "required" errors)."""
    return request.POST if request.method == "POST" else None


# The page sizes a person may choose under a list (`?size=`); a list's own default is always offered too.
# The largest stays small enough that a page is one quick query and a phone can still scroll it.
PAGE_SIZES = (20, 50, 100)


class SizedPaginator(Paginator):
    """A paginator that knows which sizes the pagination include offers (`size_choices`)."""

    size_choices: tuple[int, ...] = ()


def page_of(request: HttpRequest, items: Any, *, size: int) -> Page:
    """The page of `items` that `?page=` asks for, `?size=` rows long when that is one of the offered sizes
    (else the list's default `size`). A page number out of range or not a number gives the nearest page,
    as `Paginator.get_page` does: a stale link is not an error. `_pagination.html` shows the jump-to-page
    box and the size choice from this."""
    choices = tuple(sorted({size, *PAGE_SIZES}))
    asked = request.GET.get("size", "")
    per_page = int(asked) if asked.isdigit() and int(asked) in choices else size
    paginator = SizedPaginator(items, per_page)
    paginator.size_choices = choices
    return paginator.get_page(request.GET.get("page"))


class _Refusals(ABC):
    """A `with` block that catches a service's refusal (any DomainError), shows it with `show`, keeps it in
    `.error`, and leaves the block; anything else passes through."""

    error: DomainError | None = None
    # Refusals that are not about what the person typed, and leave the view for DomainErrorMiddleware.
    passing: tuple[type[DomainError], ...] = ()

    def __enter__(self) -> Any:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        if not isinstance(exc, DomainError) or isinstance(exc, self.passing):
            return False
        self.error = exc
        self.show(exc)
        return True

    @abstractmethod
    def show(self, exc: DomainError) -> None:
        """Show the refusal where the person is: on the form, or as a message."""


class form_errors(_Refusals):
    """`with form_errors(form, date_in_future="received_on"):` — a DomainError raised inside becomes a
    form error (on the field its code names, else on `default`, else on the whole form) and the block is
    left; the code after the `with` renders the form again. Codes map to fields through the keywords and
    the `fields` mapping."""

    def __init__(
        self, form: Any, fields: dict[str, str] | None = None, *, default: str | None = None, **by_code: str
    ) -> None:
        self.form = form
        self.fields = {**(fields or {}), **by_code}
        self.default = default

    def show(self, exc: DomainError) -> None:
        field = self.fields.get(exc.code, self.default)
        self.form.add_error(field if field in self.form.fields else None, str(exc))


class message_errors(_Refusals):
    """`with message_errors(request):` — a DomainError raised inside becomes an error message for the
    next page, and the block is left; the view then redirects as it would have on success."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def show(self, exc: DomainError) -> None:
        messages.error(self.request, str(exc))


class refusal(_Refusals):
    """`with refusal() as refused:` — a DomainError raised inside is kept in `refused.error` and the block
    is left; the page shows `refused.message` where it wants. `passing=(NotFound, PermissionDenied)` lets
    those leave the view as the 404 or 403 (when the object, not the input, is the problem)."""

    def __init__(self, *, passing: tuple[type[DomainError], ...] = ()) -> None:
        self.passing = passing

    @property
    def message(self) -> str | None:
        return None if self.error is None else str(self.error)

    def show(self, exc: DomainError) -> None:
        """Kept, not shown: the page places `message` itself."""


def form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: Any,
    back: str,
    template: str = "core/form_page.html",
    **extra: Any,
) -> HttpResponse:
    """One page for a form that does one thing: title, fields, a submit button and a way back. A page that
    shows more beside the form names its own `template`, which extends core/form_page.html and fills its
    `before_form` block."""
    return render(
        request,
        template,
        {"form": form, "title": title, "back": back, "submit": extra.pop("submit", _("保存")), **extra},
    )


def form_action(
    request: HttpRequest,
    form: Any,
    act: Callable[[dict[str, Any]], Any],
    *,
    title: Any,
    back: str,
    done: str | Callable[[Any], str] | None = None,
    success: Any = None,
    errors: dict[str, str] | None = None,
    **extra: Any,
) -> HttpResponse:
    """The whole view of a form that does one thing. On a valid POST, `act(cleaned_data)` (the service call);
    its refusal goes on the field its code names (a field of the form, or `errors`: code → field, with
    `default` among them), and the form is shown again. Done: the `success` message (a text, or a function
    of the cleaned data) and a redirect to `done` (a URL, or a function of what `act` returned; `back` if
    not given). Otherwise `form_page` with `title`, `back` and `extra`."""
    if request.method == "POST" and form.is_valid():
        mapping = {name: name for name in form.fields} | (errors or {})
        default = mapping.pop("default", None)
        with form_errors(form, mapping, default=default):
            result = act(form.cleaned_data)
            if success:
                messages.success(request, success(form.cleaned_data) if callable(success) else success)
            return redirect(done(result) if callable(done) else (done or back))
    return form_page(request, form, title=title, back=back, **extra)


def private_file(request: HttpRequest, handle: Any, *, content_type: str, filename: str) -> FileResponse:
    """A document streamed, after scoping, to the one person who asked (never a public media URL): shown in
    the browser, or saved with `?download=1`; never sniffed into another type, never kept in a cache."""
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=request.GET.get("download") == "1",
        filename=filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def qr_code(data: str, *, box_size: int = 10) -> SafeString:
    """`data` as an inline SVG QR code, ready to place in a page: no image file, no JavaScript, crisp on a
    projector or a printed slip. Safe because the SVG is the qrcode library's own, and `data` is only
    encoded in it, never written into it."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=box_size, border=2)
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308  (our own SVG from the qrcode library)


def xlsx_download(content: bytes, filename: str, *, fallback: str = "guanhuai.xlsx") -> HttpResponse:
    """An Excel file to save under its Chinese `filename` (`fallback` for a browser that cannot read it)."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition(filename, fallback=fallback)
    return response


class DomainErrorMiddleware:
    """A `NotFound` that leaves a view is the same 404 as an unknown URL; a `PermissionDenied` is a 403.
    Any other DomainError that leaves a view is a refusal the view did not place on a form: a 400 page
    with its message, never a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, NotFound):
            raise Http404(str(exc)) from exc
        if isinstance(exc, PermissionDenied):
            raise Forbidden(str(exc)) from exc
        if isinstance(exc, DomainError):
            return render(request, "core/refused.html", {"message": str(exc)}, status=400)
        return None


def search_options(request: HttpRequest, queryset: Any, label: Any, *, limit: int = 30) -> HttpResponse:
    """The answer to a SearchSelect's search (core.forms.SearchSelect): the first `limit` matches as
    `<option>`s, headed by how many were found, the only match already chosen. `queryset` is already
    scoped and narrowed by the caller's selector; `label(obj)` is the option's text."""
    found = list(queryset[: limit + 1])
    return render(
        request,
        "core/widgets/search_options.html",
        {
            "q": (request.GET.get("q") or "").strip(),
            "options": [(o.pk, label(o)) for o in found[:limit]],
            "more": len(found) > limit,
        },
    )

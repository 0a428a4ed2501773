"""批量导入: template download, upload with preview, confirm, discard. Thin: the work is in services and the parser."""

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from imports import services
from imports.forms import UploadForm
from imports.selectors import get_batch_for_user, recent_batches
from imports.template import template_xlsx
from org import roles
from org.scope import get_scope
from org.viewutils import apply_errors
from reserves import choices as C

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_ROWS = 200
SHOW = {"all": "全部", "error": "错误", "new": "新增", "update": "更新"}


def _need_edit(request):
    if not get_scope(request.user).has(roles.EDIT_PEOPLE):
        raise Http404("页面不存在")


@login_required
def import_home(request):
    _need_edit(request)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_upload(
                actor=request.user,
                unit=form.cleaned_data["unit"],
                upload=form.cleaned_data["file"],
                options=form.options(),
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("import_preview", batch.pk)
    return render(request, "imports/home.html", {"form": form, "batches": recent_batches(request.user)})


@login_required
def import_template(request):
    _need_edit(request)
    response = HttpResponse(template_xlsx(request.user), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('村级后备干部导入模板.xlsx')}"
    return response


@login_required
def import_preview(request, pk):
    batch = get_batch_for_user(request, pk)
    rows = batch.preview
    show = request.GET.get("show") or ("error" if batch.error_count else "all")
    if show not in SHOW:
        show = "all"
    shown = rows if show == "all" else [r for r in rows if r["status"] == show]
    page = Paginator(shown, PAGE_ROWS).get_page(request.GET.get("page"))
    counts = {"all": len(rows), "error": batch.error_count, "new": batch.new_count, "update": batch.update_count}
    context = {
        "batch": batch,
        "page": page,
        "show": show,
        "tabs": [(key, label, counts[key]) for key, label in SHOW.items()],
        "query": urlencode({"show": show}),
        "types": dict(C.RESERVE_TYPE_CHOICES),
    }
    return render(request, "imports/preview.html", context)


@login_required
@require_POST
def import_confirm(request, pk):
    batch = get_batch_for_user(request, pk)
    try:
        batch = services.batch_confirm(actor=request.user, batch=batch, request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            f"已导入“{batch.original_name}”：新增{batch.new_count}人，更新{batch.update_count}人，入库{batch.record_count}人。",
        )
    return redirect("import_preview", pk)


@login_required
@require_POST
def import_discard(request, pk):
    batch = get_batch_for_user(request, pk)
    try:
        services.batch_discard(actor=request.user, batch=batch, request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("import_preview", pk)
    messages.success(request, f"已放弃导入“{batch.original_name}”，上传的文件已删除。")
    return redirect("import_home")

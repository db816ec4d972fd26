using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Designer;

/// <summary>The forms the member of staff may design: those of their department's procedures (all for admin and dx).</summary>
[Authorize(Policy = Policies.SubmissionsRead)]
public sealed class IndexModel(MadoguchiDbContext db, StaffScope scope) : PageModel
{
    public sealed record Row(string Slug, string Title, string ProcedureCode, string ProcedureName, int? Version, bool Unpublished, bool Changed);

    public IReadOnlyList<Row> Rows { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var visible = await scope.ProceduresAsync(User, ct);
        Rows = await (from f in db.Forms.AsNoTracking()
                      join p in visible on f.ProcedureId equals p.Id
                      orderby p.Code, f.Slug
                      select new Row(f.Slug, f.Title, p.Code, p.Name, f.CurrentVersion, f.UnpublishedAt != null,
                          f.Versions.Where(v => v.Number == f.CurrentVersion).Select(v => v.Sha256).FirstOrDefault() != f.WorkingSha256)).ToListAsync(ct);
    }
}

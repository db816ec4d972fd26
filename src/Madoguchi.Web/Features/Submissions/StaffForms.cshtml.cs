using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>Forms of the procedures the member of staff may see, with how many submissions each has.</summary>
[Authorize(Policy = Policies.SubmissionsRead)]
public sealed class StaffFormsModel(MadoguchiDbContext db, StaffScope scope) : PageModel
{
    public sealed record Row(string Slug, string Title, string ProcedureCode, string ProcedureName, int? Version, int Submissions);

    public IReadOnlyList<Row> Rows { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var visible = await scope.ProceduresAsync(User, ct);
        Rows = await (from f in db.Forms.AsNoTracking()
                      join p in visible on f.ProcedureId equals p.Id
                      orderby p.Code, f.Slug
                      select new Row(f.Slug, f.Title, p.Code, p.Name, f.CurrentVersion, db.Submissions.Count(s => s.FormId == f.Id))).ToListAsync(ct);
    }
}

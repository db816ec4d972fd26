using System.Security.Claims;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Staff;

/// <summary>
/// Which procedures the signed-in member of staff may see: admin, dx and auditor see all;
/// manager and staff only their own department's (no access across departments, DESIGN.md §4.2).
/// </summary>
public sealed class StaffScope(MadoguchiDbContext db)
{
    // Asked on every ledger, case and export request: compiled once (see AuditTrail).
    private sealed class Queries
    {
        public readonly Func<MadoguchiDbContext, Guid, CancellationToken, Task<bool>> Exists = EF.CompileAsyncQuery(
            (MadoguchiDbContext db, Guid procedureId, CancellationToken _) => db.Procedures.Any(p => p.Id == procedureId));

        public readonly Func<MadoguchiDbContext, Guid, string?, CancellationToken, Task<bool>> InDepartment = EF.CompileAsyncQuery(
            (MadoguchiDbContext db, Guid procedureId, string? userId, CancellationToken _) => db.Procedures.Any(p => p.Id == procedureId && p.DepartmentId != null
                && db.Users.Any(u => u.Id == userId && u.DepartmentId == p.DepartmentId)));
    }

    public static bool SeesAllDepartments(ClaimsPrincipal user)
        => user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Dx) || user.IsInRole(Roles.Auditor);

    public async Task<IQueryable<Procedure>> ProceduresAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        if (SeesAllDepartments(user)) return db.Procedures;
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier);
        var departmentId = await db.Users.Where(u => u.Id == id).Select(u => u.DepartmentId).FirstOrDefaultAsync(ct);
        return departmentId is null
            ? db.Procedures.Where(_ => false)
            : db.Procedures.Where(p => p.DepartmentId == departmentId);
    }

    /// <summary>Whether this member of staff may see the procedure: the same rule as <see cref="ProceduresAsync"/>, in one query.</summary>
    public async Task<bool> MaySeeAsync(ClaimsPrincipal user, Guid procedureId, CancellationToken ct)
    {
        if (SeesAllDepartments(user)) return await PerModel<Queries>.Of(db).Exists(db, procedureId, ct);
        return await PerModel<Queries>.Of(db).InDepartment(db, procedureId, user.FindFirstValue(ClaimTypes.NameIdentifier), ct);
    }
}

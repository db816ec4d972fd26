using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Madoguchi.Web.Features.Staff;

/// <summary>A member of staff who signs in. Residents do not have accounts of this kind.</summary>
public sealed class StaffUser : IdentityUser
{
    public string DisplayName { get; set; } = "";
    /// <summary>The department whose procedures a manager or staff member works on.</summary>
    public Guid? DepartmentId { get; set; }
    /// <summary>
    /// The RFC 6238 time step of the last authenticator code accepted: a code is good once, so a code
    /// read over a shoulder or replayed within its window is refused (RFC 6238 §5.2).
    /// </summary>
    public long? LastTotpStep { get; set; }

    /// <summary>
    /// How staff are named on cases, ledgers and exports: the display name, else the user name, else the
    /// id. An expression, so queries select just the name; <see cref="NameOf"/> applies it to a loaded user.
    /// </summary>
    public static readonly System.Linq.Expressions.Expression<Func<StaffUser, StaffName>> Named =
        u => new StaffName(u.Id, u.DisplayName != "" ? u.DisplayName : u.UserName ?? u.Id);

    private static readonly Func<StaffUser, StaffName> NamedCompiled = Named.Compile();

    public static string NameOf(StaffUser user) => NamedCompiled(user).Name;

    internal static void Configure(EntityTypeBuilder<StaffUser> e)
    {
        // Only the compare-and-set in StaffTotp writes it: Identity's UpdateAsync (which writes every
        // column of a possibly stale user) must not put an older step back.
        e.Property(x => x.LastTotpStep).Metadata.SetAfterSaveBehavior(PropertySaveBehavior.Ignore);
    }
}

/// <summary>A member of staff as cases show them (<see cref="StaffUser.Named"/>).</summary>
public sealed record StaffName(string Id, string Name);

public static class Roles
{
    public const string Admin = "admin";
    public const string Dx = "dx";
    public const string Manager = "manager";
    public const string Staff = "staff";
    public const string Counter = "counter";
    public const string Auditor = "auditor";

    public static readonly string[] All = [Admin, Dx, Manager, Staff, Counter, Auditor];

    /// <summary>Roles that only make sense bound to a department.</summary>
    public static bool NeedsDepartment(string role) => role is Manager or Staff;
}

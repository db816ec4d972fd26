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

    internal static void Configure(EntityTypeBuilder<StaffUser> e)
    {
        // Only the compare-and-set in StaffTotp writes it: Identity's UpdateAsync (which writes every
        // column of a possibly stale user) must not put an older step back.
        e.Property(x => x.LastTotpStep).Metadata.SetAfterSaveBehavior(PropertySaveBehavior.Ignore);
    }
}

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

using Microsoft.AspNetCore.Identity;

namespace Madoguchi.Web.Features.Staff;

/// <summary>A member of staff who signs in. Residents do not have accounts of this kind.</summary>
public sealed class StaffUser : IdentityUser
{
    public string DisplayName { get; set; } = "";
    /// <summary>The department whose procedures a manager or staff member works on.</summary>
    public Guid? DepartmentId { get; set; }
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

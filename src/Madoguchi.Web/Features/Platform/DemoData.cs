using System.Security.Cryptography;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Staff;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Platform;

/// <summary>
/// Koto City demo data: the municipality, its offices, departments and an inventory whose
/// figures as of 2025-03-31 equal the FY2025 audit's tables. Only `demo load` and `serve --demo` call this.
/// </summary>
public static class DemoData
{
    public sealed record DemoUser(string Email, string Role, string Password);
    public sealed record Result(int Procedures, int Offices, int Departments, IReadOnlyList<DemoUser> Users, IReadOnlyList<string> Forms);

    /// <summary>Loads the demo into an empty database; returns null (and changes nothing) otherwise.</summary>
    public static async Task<Result?> LoadIfEmptyAsync(IServiceProvider sp, CancellationToken ct)
    {
        var db = sp.GetRequiredService<MadoguchiDbContext>();
        if (await db.Procedures.AnyAsync(ct) || await db.Users.AnyAsync(ct) || await db.Offices.AnyAsync(ct) || await db.Departments.AnyAsync(ct))
        {
            return null;
        }
        var clock = sp.GetRequiredService<TimeProvider>();
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Municipalities.Add(new Municipality { Name = "江東区", Code = "131083", UpdatedAt = now });
        var offices = Offices();
        db.Offices.AddRange(offices);
        Queue.QueueDemo.Add(db, offices);
        Queue.QueueDemoHistory.Add(db, offices, now);
        var procedures = DemoInventory.Create(now);
        db.Procedures.AddRange(procedures);
        await db.SaveChangesAsync(ct);
        var departments = procedures.Where(p => p.Department is not null).Select(p => p.Department!).Distinct().ToList();

        // Passwords are generated per database and printed once: no password lives in the code.
        var users = new List<DemoUser>();
        var kumin = departments.FirstOrDefault(d => d.Ka == "区民課") ?? departments[0];
        foreach (var (email, role, dept) in new (string, string, Department?)[]
                 {
                     ("admin@demo.koto.example", Roles.Admin, null),
                     ("dx@demo.koto.example", Roles.Dx, null),
                     ("kumin@demo.koto.example", Roles.Staff, kumin),
                     ("auditor@demo.koto.example", Roles.Auditor, null),
                 })
        {
            var password = GeneratePassword();
            await StaffAccounts.CreateAsync(sp, email, password, role, dept?.Id, email.Split('@')[0]);
            users.Add(new DemoUser(email, role, password));
        }
        // Published today, after the audit date: the figures as of 2025-03-31 stay the audit's.
        var forms = await Forms.DemoForms.PublishAsync(sp, procedures, ct);
        await tx.CommitAsync(ct);
        return new Result(procedures.Count, offices.Count, departments.Count, users, forms);
    }

    public static string GeneratePassword()
    {
        // 16 characters from an alphabet without look-alikes (0/O, 1/l), easy to type from a terminal.
        const string alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return RandomNumberGenerator.GetString(alphabet, 16);
    }

    private static List<Office> Offices() =>
    [
        new() { Name = "江東区役所 本庁舎", NameEn = "Koto City Hall (main office)", Kind = OfficeKind.MainOffice, Address = "東京都江東区東陽4-11-28", Phone = "03-3647-9111", Hours = "8:30〜17:00（土日祝・年末年始を除く）", SortOrder = 0 },
        new() { Name = "白河出張所", NameEn = "Shirakawa branch", Kind = OfficeKind.Branch, Address = "東京都江東区白河2-1-13", Phone = "03-3641-7001", Hours = "8:30〜17:00（土日祝・年末年始を除く）", SortOrder = 1 },
        new() { Name = "富岡出張所", NameEn = "Tomioka branch", Kind = OfficeKind.Branch, Address = "東京都江東区富岡2-3-6", Phone = "03-3641-3381", Hours = "8:30〜17:00（土日祝・年末年始を除く）", SortOrder = 2 },
        new() { Name = "豊洲出張所", NameEn = "Toyosu branch", Kind = OfficeKind.Branch, Address = "東京都江東区豊洲2-2-18", Phone = "03-3531-4501", Hours = "8:30〜17:00（土日祝・年末年始を除く）", SortOrder = 3 },
        new() { Name = "小松橋出張所", NameEn = "Komatsubashi branch", Kind = OfficeKind.Branch, Address = "東京都江東区北砂1-2-5", Phone = "03-3644-3901", Hours = "8:30〜17:00（土日祝・年末年始を除く）", SortOrder = 4 },
        new() { Name = "東陽出張所", NameEn = "Toyo branch", Kind = OfficeKind.Branch, Address = "東京都江東区東陽1-33-9", Phone = "03-3647-2701", Hours = "8:30〜17:00（土日祝・年末年始を除く）", SortOrder = 5 },
        new() { Name = "亀戸出張所", NameEn = "Kameido branch", Kind = OfficeKind.Branch, Address = "東京都江東区亀戸2-19-1", Phone = "03-3682-7701", Hours = "8:30〜17:00（土日祝・年末年始を除く）", SortOrder = 6 },
        new() { Name = "大島出張所", NameEn = "Ojima branch", Kind = OfficeKind.Branch, Address = "東京都江東区大島4-5-1", Phone = "03-3637-1001", Hours = "8:30〜17:00（土日祝・年末年始を除く）", SortOrder = 7 },
        new() { Name = "砂町出張所", NameEn = "Sunamachi branch", Kind = OfficeKind.Branch, Address = "東京都江東区北砂5-1-7", Phone = "03-3644-7001", Hours = "8:30〜17:00（土日祝・年末年始を除く）", SortOrder = 8 },
        new() { Name = "南砂出張所", NameEn = "Minamisuna branch", Kind = OfficeKind.Branch, Address = "東京都江東区南砂4-1-6", Phone = "03-3645-5301", Hours = "8:30〜17:00（土日祝・年末年始を除く）", SortOrder = 9 },
    ];
}

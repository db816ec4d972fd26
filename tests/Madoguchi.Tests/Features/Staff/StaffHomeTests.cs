using System.Net;
using System.Text.RegularExpressions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Staff;

namespace Madoguchi.Tests.Features.Staff;

/// <summary>The staff home offers each member of staff the pages their role opens, and no other (the cards ask the pages' policies).</summary>
public sealed partial class StaffHomeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [GeneratedRegex("<main[^>]*>(.*)</main>", RegexOptions.Singleline)]
    private static partial Regex MainElement();

    [GeneratedRegex("href=\"(/[^\"#?]*)\"")]
    private static partial Regex Link();

    [Theory]
    [InlineData(Roles.Admin, "/staff/ledger,/staff/queue/console,/staff/queue/staffing,/staff/audit", "")]
    [InlineData(Roles.Dx, "/staff/inventory,/staff/forms,/staff/queue/statistics", "/staff/ledger,/staff/queue/console,/staff/audit")]
    [InlineData(Roles.Manager, "/staff/ledger,/staff/queue/console", "/staff/queue/staffing,/staff/audit")]
    [InlineData(Roles.Staff, "/staff/inventory,/staff/forms,/staff/ledger,/staff/queue/console", "/staff/queue/kiosks,/staff/audit")]
    [InlineData(Roles.Counter, "/staff/queue/console,/staff/queue/statistics", "/staff/inventory,/staff/forms,/staff/ledger,/staff/audit")]
    [InlineData(Roles.Auditor, "/staff/audit,/staff/queue/statistics", "/staff/forms,/staff/ledger,/staff/queue/console")]
    public async Task Each_role_sees_the_pages_it_may_open_and_every_link_opens(string role, string shown, string hidden)
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var department = Builders.Department("区民部", "区民課");
        await app.SaveAsync(department);
        var client = await app.SignedInClientAsync(role, department.Id);

        var home = MainElement().Match(await client.GetStringAsync("/staff", Ct)).Groups[1].Value;
        var links = Link().Matches(home).Select(m => m.Groups[1].Value).Distinct().ToList();
        foreach (var page in shown.Split(',')) Assert.Contains(page, links);
        foreach (var page in hidden.Split(',', StringSplitOptions.RemoveEmptyEntries)) Assert.DoesNotContain(page, links);
        foreach (var page in links)
        {
            using var response = await client.GetAsync(page, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{role}: {page} answered {(int)response.StatusCode}");
        }
    }
}

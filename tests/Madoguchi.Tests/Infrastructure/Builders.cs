using Microsoft.Extensions.DependencyInjection;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Platform;

namespace Madoguchi.Tests.Infrastructure;

/// <summary>Test data builders: each test makes exactly the rows it needs.</summary>
public static class Builders
{
    public static Department Department(string bu = "区民部", string ka = "区民課", string kakari = "")
        => new() { Bu = bu, Ka = ka, Kakari = kakari };

    public static Procedure Procedure(string code, Department? department = null, Action<Procedure>? configure = null)
    {
        var p = new Procedure
        {
            Code = code,
            Name = $"テスト手続 {code}",
            Layout = InventoryLayout.Municipal,
            Department = department,
            OnlineEligible = true,
            Status = OnlineStatus.NotDone,
            ProcedureType = "申請",
            Actor = "個人",
        };
        configure?.Invoke(p);
        return p;
    }

    public static async Task SaveAsync(this MadoguchiFactory app, params object[] entities)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        db.AddRange(entities);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }
}

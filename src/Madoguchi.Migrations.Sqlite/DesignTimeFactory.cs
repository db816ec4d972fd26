using Madoguchi.Web.Data;
using Microsoft.EntityFrameworkCore.Design;

namespace Madoguchi.Migrations.Sqlite;

/// <summary>Lets `dotnet ef migrations add` build the SQLite model; never used at run time.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<MadoguchiDbContext>
{
    public MadoguchiDbContext CreateDbContext(string[] args)
        => DataModule.CreateContext(Storage.Parse(Path.Combine(Path.GetTempPath(), "madoguchi-design.db")));
}

using Madoguchi.Web.Data;
using Microsoft.EntityFrameworkCore.Design;

namespace Madoguchi.Migrations.Postgres;

/// <summary>Lets `dotnet ef migrations add` build the PostgreSQL model; no server is contacted.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<MadoguchiDbContext>
{
    public MadoguchiDbContext CreateDbContext(string[] args)
        => DataModule.CreateContext(Storage.Parse("postgres://madoguchi@localhost:5432/madoguchi_design", Path.GetTempPath()));
}

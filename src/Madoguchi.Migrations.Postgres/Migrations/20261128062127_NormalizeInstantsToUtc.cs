using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Madoguchi.Migrations.Postgres.Migrations
{
    /// <summary>
    /// Nothing to change on PostgreSQL: timestamptz already stores every instant in UTC. The migration
    /// exists so that both engines have the same history (the SQLite one rewrites instants stored with
    /// an offset).
    /// </summary>
    public partial class NormalizeInstantsToUtc : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}

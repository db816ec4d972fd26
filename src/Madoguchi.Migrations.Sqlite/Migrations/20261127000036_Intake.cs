using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Madoguchi.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Intake : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "PersonKey",
                table: "Submissions",
                type: "TEXT",
                maxLength: 80,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "IntakeCounters",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", maxLength: 120, nullable: false),
                    Taken = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IntakeCounters", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "IntakeDraws",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    FormId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Seed = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Winners = table.Column<int>(type: "INTEGER", nullable: false),
                    Entrants = table.Column<int>(type: "INTEGER", nullable: false),
                    WinnersJson = table.Column<string>(type: "TEXT", nullable: false),
                    DrawnAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DrawnBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IntakeDraws", x => x.Id);
                    table.ForeignKey(
                        name: "FK_IntakeDraws_Forms_FormId",
                        column: x => x.FormId,
                        principalTable: "Forms",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Submissions_FormId_PersonKey",
                table: "Submissions",
                columns: new[] { "FormId", "PersonKey" });

            migrationBuilder.CreateIndex(
                name: "IX_IntakeDraws_FormId",
                table: "IntakeDraws",
                column: "FormId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "IntakeCounters");

            migrationBuilder.DropTable(
                name: "IntakeDraws");

            migrationBuilder.DropIndex(
                name: "IX_Submissions_FormId_PersonKey",
                table: "Submissions");

            migrationBuilder.DropColumn(
                name: "PersonKey",
                table: "Submissions");
        }
    }
}

using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Madoguchi.Migrations.Postgres.Migrations
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
                type: "character varying(80)",
                maxLength: 80,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "IntakeCounters",
                columns: table => new
                {
                    Key = table.Column<string>(type: "character varying(120)", maxLength: 120, nullable: false),
                    Taken = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IntakeCounters", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "IntakeDraws",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    FormId = table.Column<Guid>(type: "uuid", nullable: false),
                    Seed = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Winners = table.Column<int>(type: "integer", nullable: false),
                    Entrants = table.Column<int>(type: "integer", nullable: false),
                    WinnersJson = table.Column<string>(type: "text", nullable: false),
                    DrawnAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DrawnBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
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

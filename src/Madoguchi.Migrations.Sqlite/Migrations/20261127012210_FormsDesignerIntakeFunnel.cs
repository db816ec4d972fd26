using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Madoguchi.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class FormsDesignerIntakeFunnel : Migration
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

            migrationBuilder.AddColumn<string>(
                name: "DesignerKeyChanges",
                table: "Forms",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "UnpublishedAt",
                table: "Forms",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "FunnelId",
                table: "Drafts",
                type: "TEXT",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<string>(
                name: "RefillPaths",
                table: "Drafts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "FormEdits",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    FormId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Sequence = table.Column<int>(type: "INTEGER", nullable: false),
                    Summary = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    PreviousJson = table.Column<string>(type: "TEXT", nullable: false),
                    PreviousSha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    PreviousKeyChanges = table.Column<string>(type: "TEXT", nullable: true),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    By = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FormEdits", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FormEdits_Forms_FormId",
                        column: x => x.FormId,
                        principalTable: "Forms",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "FunnelEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FormId = table.Column<Guid>(type: "TEXT", nullable: false),
                    FormVersionNumber = table.Column<int>(type: "INTEGER", nullable: false),
                    JourneyId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    PageKey = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ToPage = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    FieldKey = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ErrorCode = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Seconds = table.Column<long>(type: "INTEGER", nullable: true),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FunnelEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FunnelEvents_Forms_FormId",
                        column: x => x.FormId,
                        principalTable: "Forms",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

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
                name: "IX_FormEdits_FormId_Sequence",
                table: "FormEdits",
                columns: new[] { "FormId", "Sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FunnelEvents_FormId_At",
                table: "FunnelEvents",
                columns: new[] { "FormId", "At" });

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
                name: "FormEdits");

            migrationBuilder.DropTable(
                name: "FunnelEvents");

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

            migrationBuilder.DropColumn(
                name: "DesignerKeyChanges",
                table: "Forms");

            migrationBuilder.DropColumn(
                name: "UnpublishedAt",
                table: "Forms");

            migrationBuilder.DropColumn(
                name: "FunnelId",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "RefillPaths",
                table: "Drafts");
        }
    }
}

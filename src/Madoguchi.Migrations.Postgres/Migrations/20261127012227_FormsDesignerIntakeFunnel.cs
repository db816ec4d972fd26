using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Madoguchi.Migrations.Postgres.Migrations
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
                type: "character varying(80)",
                maxLength: 80,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DesignerKeyChanges",
                table: "Forms",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "UnpublishedAt",
                table: "Forms",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "FunnelId",
                table: "Drafts",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<string>(
                name: "RefillPaths",
                table: "Drafts",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "FormEdits",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    FormId = table.Column<Guid>(type: "uuid", nullable: false),
                    Sequence = table.Column<int>(type: "integer", nullable: false),
                    Summary = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    PreviousJson = table.Column<string>(type: "text", nullable: false),
                    PreviousSha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    PreviousKeyChanges = table.Column<string>(type: "text", nullable: true),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    By = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    FormId = table.Column<Guid>(type: "uuid", nullable: false),
                    FormVersionNumber = table.Column<int>(type: "integer", nullable: false),
                    JourneyId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    PageKey = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    ToPage = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    FieldKey = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    ErrorCode = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Seconds = table.Column<long>(type: "bigint", nullable: true),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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

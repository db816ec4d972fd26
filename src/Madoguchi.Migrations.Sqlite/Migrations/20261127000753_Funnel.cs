using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Madoguchi.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Funnel : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "FunnelId",
                table: "Drafts",
                type: "TEXT",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

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

            migrationBuilder.CreateIndex(
                name: "IX_FunnelEvents_FormId_At",
                table: "FunnelEvents",
                columns: new[] { "FormId", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "FunnelEvents");

            migrationBuilder.DropColumn(
                name: "FunnelId",
                table: "Drafts");
        }
    }
}

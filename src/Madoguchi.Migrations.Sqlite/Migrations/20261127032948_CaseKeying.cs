using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Madoguchi.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class CaseKeying : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "KeyedById",
                table: "Drafts",
                type: "TEXT",
                maxLength: 450,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "KeyedChannel",
                table: "Drafts",
                type: "TEXT",
                maxLength: 8,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "KeyedReceivedOn",
                table: "Drafts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Drafts_KeyedById",
                table: "Drafts",
                column: "KeyedById");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Drafts_KeyedById",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "KeyedById",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "KeyedChannel",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "KeyedReceivedOn",
                table: "Drafts");
        }
    }
}

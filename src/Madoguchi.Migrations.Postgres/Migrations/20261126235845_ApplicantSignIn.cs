using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Madoguchi.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ApplicantSignIn : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Drafts_FormId",
                table: "Drafts");

            migrationBuilder.AddColumn<string>(
                name: "ApplicantSubject",
                table: "Submissions",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ApplicantSubject",
                table: "Drafts",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PrefilledJson",
                table: "Drafts",
                type: "text",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Drafts_FormId_ApplicantSubject",
                table: "Drafts",
                columns: new[] { "FormId", "ApplicantSubject" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Drafts_FormId_ApplicantSubject",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "ApplicantSubject",
                table: "Submissions");

            migrationBuilder.DropColumn(
                name: "ApplicantSubject",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "PrefilledJson",
                table: "Drafts");

            migrationBuilder.CreateIndex(
                name: "IX_Drafts_FormId",
                table: "Drafts",
                column: "FormId");
        }
    }
}

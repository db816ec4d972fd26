using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Madoguchi.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class CorrectionRequestsClosed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ClosedAt",
                table: "CorrectionRequests",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ClosedReason",
                table: "CorrectionRequests",
                type: "TEXT",
                maxLength: 16,
                nullable: true);

            // Requests left open under a newer one before requests were closed: closed as replaced, so their
            // links say so (the newer request's time is when it happened).
            migrationBuilder.Sql("""
                UPDATE "CorrectionRequests" SET "ClosedReason" = 'superseded',
                    "ClosedAt" = (SELECT MIN(n."RequestedAt") FROM "CorrectionRequests" n WHERE n."CaseId" = "CorrectionRequests"."CaseId" AND n."RequestedAt" > "CorrectionRequests"."RequestedAt")
                WHERE "AnsweredAt" IS NULL
                    AND EXISTS (SELECT 1 FROM "CorrectionRequests" n WHERE n."CaseId" = "CorrectionRequests"."CaseId" AND n."RequestedAt" > "CorrectionRequests"."RequestedAt")
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ClosedAt",
                table: "CorrectionRequests");

            migrationBuilder.DropColumn(
                name: "ClosedReason",
                table: "CorrectionRequests");
        }
    }
}

import { Naming } from "../constructs/naming";

describe("Naming", () => {
  const naming = new Naming("myamazingapp", "production");

  it("prefixes every name with <application>-<environment>", () => {
    expect(naming.prefix).toBe("myamazingapp-production");
  });

  it("names a resource <application>-<environment>-<purpose>", () => {
    expect(naming.name("uploads-111111111111")).toBe("myamazingapp-production-uploads-111111111111");
  });

  it("gives the bare prefix for an empty purpose (the cluster)", () => {
    expect(naming.name("")).toBe("myamazingapp-production");
  });

  it("builds path-style names /<application>/<environment>/<purpose>", () => {
    expect(naming.path("vpc-flow-logs")).toBe("/myamazingapp/production/vpc-flow-logs");
  });

  it("keeps two environments' names apart", () => {
    expect(new Naming("myamazingapp", "staging").name("db")).not.toBe(naming.name("db"));
  });

  it("accepts a name exactly at maxLength", () => {
    const purpose = "x".repeat(32 - "myamazingapp-production-".length);
    expect(naming.name(purpose, 32)).toHaveLength(32);
  });

  it("refuses a name longer than maxLength instead of cutting it", () => {
    expect(() => naming.name("load-balancer", 32)).toThrow(
      'Naming: "myamazingapp-production-load-balancer" is 37 characters; this resource allows 32',
    );
  });

  it("defaults maxLength to 255", () => {
    expect(() => naming.name("x".repeat(255))).toThrow(/this resource allows 255/);
  });

  it.each([
    ["upper case application", "MyAmazingApp", "production"],
    ["underscore in environment", "myamazingapp", "pre_prod"],
    ["space", "myamazingapp", "pre prod"],
    ["leading digit", "1app", "production"],
    ["leading dash", "myamazingapp", "-production"],
    ["empty environment", "myamazingapp", ""],
    ["slash", "myamazingapp", "prod/eu"],
    [
      "dash in environment (production-b would fall within production's names)",
      "myamazingapp",
      "production-b",
    ],
  ])("refuses invalid characters (%s)", (_why, application, environment) => {
    expect(() => new Naming(application, environment)).toThrow(
      /^Naming: (application|environment): ".*" is malformed; expected .*lowercase letters(, digits and dashes| and digits)/,
    );
  });

  it("refuses a purpose with characters AWS names do not allow", () => {
    expect(() => naming.name("Uploads Bucket")).toThrow(/purpose/);
  });
});

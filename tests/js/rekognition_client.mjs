// Drives Glimpse's Rekognition endpoint with the AWS SDK for JavaScript v3, as a Node app would.
// Usage: node rekognition_client.mjs <endpoint> <collection> <image path>; keys from AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY. Prints one JSON object with what the SDK returned.
import { readFileSync } from "node:fs";
import {
  RekognitionClient,
  ListCollectionsCommand,
  SearchFacesByImageCommand,
  DescribeCollectionCommand,
} from "@aws-sdk/client-rekognition";

const [endpoint, collection, imagePath] = process.argv.slice(2);
const client = new RekognitionClient({ endpoint, region: "eu-west-1" });
const out = {};

out.collections = (await client.send(new ListCollectionsCommand({}))).CollectionIds;
const search = await client.send(new SearchFacesByImageCommand({
  CollectionId: collection, Image: { Bytes: readFileSync(imagePath) }, MaxFaces: 3,
}));
out.matches = search.FaceMatches.map((m) => ({ external: m.Face.ExternalImageId, similarity: m.Similarity }));
try {
  await client.send(new DescribeCollectionCommand({ CollectionId: "no-such-collection" }));
} catch (error) {
  out.missing = { name: error.name, status: error.$metadata.httpStatusCode };
}
const forged = new RekognitionClient({
  endpoint, region: "eu-west-1",
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: "not-the-secret" },
  maxAttempts: 1,
});
try {
  await forged.send(new ListCollectionsCommand({}));
} catch (error) {
  out.forged = { name: error.name, status: error.$metadata.httpStatusCode };
}
console.log(JSON.stringify(out));

/**
 * The root layout (a server component): it reads the request's token and hands it to the client provider,
 * so the browser's first render is already signed in.
 */
import type { ReactNode } from "react";
import { getConvexToken } from "../lib/convex-token";
import { ConvexClientProvider } from "./convex-client-provider";

export const metadata = { title: "convex-custom-jwt · Next.js" };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const token = await getConvexToken(); // the same call as the page's: once per request
  return (
    <html lang="en">
      <body>
        <ConvexClientProvider initialToken={token}>{children}</ConvexClientProvider>
      </body>
    </html>
  );
}
